using System.IO.Compression;
using Microsoft.AspNetCore.RequestDecompression;
using SimpleSync.Errors;

namespace SimpleSync.Http;

/// <summary>
/// Request bodies sent with <c>Content-Encoding: gzip</c>, <c>deflate</c> or <c>br</c> are inflated by
/// the framework's decoders, which report bytes that are not what the header claims by throwing
/// from deep inside whatever reads the body: <see cref="InvalidDataException"/> (gzip, deflate) or
/// <see cref="InvalidOperationException"/> (brotli's "Decoder ran into invalid data"). Left alone,
/// that is a 500 for a client's mistake. Each decoder is wrapped so that such a failure is a 400
/// <c>invalid</c> instead. The body limit still applies to the inflated bytes (the middleware
/// counts them), and errors of the connection itself (<see cref="BadHttpRequestException"/>,
/// <see cref="IOException"/>) pass through.
/// </summary>
internal static class RequestDecoding
{
    public static IServiceCollection AddRequestDecoding(this IServiceCollection services) =>
        services.AddRequestDecompression(options =>
        {
            foreach (var (encoding, provider) in options.DecompressionProviders.ToList())
                options.DecompressionProviders[encoding] = new CheckedProvider(encoding, provider);
        });

    private sealed class CheckedProvider(string encoding, IDecompressionProvider inner) : IDecompressionProvider
    {
        public Stream GetDecompressionStream(Stream stream) => new CheckedStream(encoding, inner.GetDecompressionStream(stream));
    }

    /// <summary>A read-only view of a decoder that turns its complaints about the data into 400.</summary>
    private sealed class CheckedStream(string encoding, Stream decoder) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return decoder.Read(buffer);
            }
            catch (Exception ex) when (IsBadData(ex))
            {
                throw NotEncoded();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await decoder.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (IsBadData(ex))
            {
                throw NotEncoded();
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private bool IsBadData(Exception ex) => ex is InvalidDataException || (ex is InvalidOperationException && decoder is BrotliStream);

        private ApiException NotEncoded() => ApiException.Invalid($"the body is not valid {encoding} data, as its Content-Encoding says it is");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                decoder.Dispose();
            base.Dispose(disposing);
        }
    }
}
