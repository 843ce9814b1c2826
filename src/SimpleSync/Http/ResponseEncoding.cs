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

    private sealed class BrotliProvider : ICompressionProvider
    {
        private static readonly BrotliCompressionOptions Options = new() { Quality = BrotliQuality };

        public string EncodingName => "br";

        public bool SupportsFlush => true;

        public Stream CreateStream(Stream outputStream) => new BrotliStream(outputStream, Options, leaveOpen: true);
    }
}
