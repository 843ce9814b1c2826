using System.Buffers;
using System.IO.Compression;

namespace SimpleSync.Client;

/// <summary>
/// Reads answer bodies with a size cap of our own. HttpClient would buffer up to 2 GB (its
/// MaxResponseContentBufferSize) before anything could look at it; here a body stops being read
/// one chunk past the cap, so a broken or hostile server costs at most that much memory. The cap
/// counts decoded bytes, so a compressed answer cannot expand past it either.
/// </summary>
internal static class AnswerBody
{
    private const int Chunk = 16 * 1024;

    /// <summary>
    /// What the SDK asks for in <c>Accept-Encoding</c> and decodes itself, whatever the app's
    /// HttpClient does: a first sync of a long history travels compressed (the server sends JSON
    /// with Brotli or gzip when asked). A handler that decodes on its own removes
    /// <c>Content-Encoding</c>, and the body arrives here already decoded.
    /// </summary>
    public static IReadOnlyList<string> Encodings { get; } = ["br", "gzip"];

    /// <summary>
    /// The whole decoded body, or null when it is larger than <paramref name="cap"/> bytes. An
    /// encoding the SDK did not ask for, or data that does not decode, is a <see cref="ClientErrorCodes.BadResponse"/>.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpContent content, int cap, CancellationToken ct)
    {
        var encoding = content.Headers.ContentEncoding;
        if (encoding.Count == 0 && content.Headers.ContentLength > cap)
            return null;
        await using var raw = await content.ReadAsStreamAsync(ct);
        await using var stream = Decoding(raw, encoding);
        var body = new ArrayBufferWriter<byte>((int)Math.Min(encoding.Count == 0 ? content.Headers.ContentLength ?? Chunk : Chunk, cap) + 1);
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(body.GetMemory(Chunk), ct);
                if (read == 0)
                    return body.WrittenMemory;
                body.Advance(read);
                if (body.WrittenCount > cap)
                    return null;
            }
        }
        // GZipStream says InvalidDataException; BrotliStream says InvalidOperationException.
        catch (Exception ex) when (ex is InvalidDataException || (ex is InvalidOperationException && stream is BrotliStream))
        {
            throw new SyncException(ClientErrorCodes.BadResponse, $"the server's answer does not decode as {encoding.First()}: {ex.Message}", null, ex);
        }
    }

    private static Stream Decoding(Stream raw, ICollection<string> encoding) => encoding.Count switch
    {
        0 => raw,
        1 when string.Equals(encoding.First(), "br", StringComparison.OrdinalIgnoreCase) => new BrotliStream(raw, CompressionMode.Decompress),
        1 when string.Equals(encoding.First(), "gzip", StringComparison.OrdinalIgnoreCase) => new GZipStream(raw, CompressionMode.Decompress),
        _ => throw new SyncException(ClientErrorCodes.BadResponse,
            $"the server's answer is encoded as '{string.Join(", ", encoding)}', which the SDK did not ask for", null),
    };

    /// <summary>Throws <see cref="ClientErrorCodes.BadResponse"/> unless the answer is of <paramref name="mediaType"/> (parameters aside).</summary>
    public static void RequireMediaType(HttpResponseMessage response, string mediaType)
    {
        var actual = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(actual, mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new SyncException(ClientErrorCodes.BadResponse,
                $"the server answered {(actual is null ? "without a content type" : $"with {actual}")} where the protocol says {mediaType}",
                response.StatusCode);
        }
    }
}
