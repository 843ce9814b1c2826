using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace SimpleSync.Http;

/// <summary>
/// Answers are compressed for clients that ask (both SDKs do): brotli first, then gzip. A first
/// sync of a long history is the answer that matters: tens of megabytes of JSON in which the
/// same field names, user uuids and payload shapes repeat.
/// </summary>
internal static class ResponseEncoding
{
    /// <summary>
    /// Brotli's quality 2, which the framework's options cannot name (its levels map to 1, 4 and
    /// 11). A first sync of 100,000 events comes to 8.7 % of its JSON at quality 2 against 15.7 %
    /// at quality 1, and quality 4 gains almost nothing more for several times the CPU. A small
    /// answer costs the same at 1 and 2; a long one holds up to about 1.5 MB in its encoder
    /// (0.1 MB at quality 1). Figures: docs/benchmarks.md, "The first sync".
    /// </summary>
    public const int BrotliQuality = 2;

    public static IServiceCollection AddResponseEncoding(this IServiceCollection services)
    {
        services.AddResponseCompression(compression =>
        {
            compression.Providers.Add<BrotliProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            // Not text/event-stream: an event stream must reach the client as it is written.
            compression.MimeTypes = ["application/json", "application/problem+json", "text/plain", "text/html", "text/javascript", "text/css"];
            // Over TLS too. The framework leaves it off because of BREACH, which needs a secret and
            // text the attacker chose in one compressed answer: ours hold no secret beside such text
            // (the history is readable by every user; a token answer reflects nothing of the request).
            compression.EnableForHttps = true;
        });
        // Gzip, for clients without brotli, at its fastest level.
        return services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
    }

    /// <summary>
    /// At most this many answers are compressed at <see cref="BrotliQuality"/> at once; more take
    /// quality 1. A long answer's quality-2 encoder holds about 1.4 MB, quality 1 about 0.1 MB, so
    /// a user opening thousands of pulls at once adds at most about 90 MB for the better ratio.
    /// </summary>
    public const int MaxRichEncoders = 64;

    private sealed class BrotliProvider : ICompressionProvider
    {
        private static readonly BrotliCompressionOptions Rich = new() { Quality = BrotliQuality };
        private static readonly BrotliCompressionOptions Lean = new() { Quality = 1 };

        private int _rich;

        public string EncodingName => "br";

        public bool SupportsFlush => true;

        public Stream CreateStream(Stream outputStream)
        {
            if (Interlocked.Increment(ref _rich) <= MaxRichEncoders)
                return new RichStream(outputStream, this);
            Interlocked.Decrement(ref _rich);
            return new BrotliStream(outputStream, Lean, leaveOpen: true);
        }

        /// <summary>
        /// A quality-2 encoder (BrotliStream is sealed: wrapped) that gives its place back when the
        /// answer is done. The middleware disposes it only when the answer completes; an answer cut
        /// off by the client leaves it to the finalizer, so a place is never lost for good.
        /// </summary>
        private sealed class RichStream(Stream output, BrotliProvider provider) : Stream
        {
            private readonly BrotliStream _encoder = new(output, Rich, leaveOpen: true);
            private int _released;

            ~RichStream() => Release();

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count) => _encoder.Write(buffer, offset, count);

            public override void Write(ReadOnlySpan<byte> buffer) => _encoder.Write(buffer);

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
                _encoder.WriteAsync(buffer, offset, count, ct);

            public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => _encoder.WriteAsync(buffer, ct);

            public override void Flush() => _encoder.Flush();

            public override Task FlushAsync(CancellationToken ct) => _encoder.FlushAsync(ct);

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                try
                {
                    if (disposing)
                        _encoder.Dispose();
                }
                finally
                {
                    Release();
                    base.Dispose(disposing);
                }
            }

            public override async ValueTask DisposeAsync()
            {
                try
                {
                    await _encoder.DisposeAsync();
                }
                finally
                {
                    Release();
                    GC.SuppressFinalize(this);
                }
            }

            private void Release()
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                    Interlocked.Decrement(ref provider._rich);
            }
        }
    }
}
