using System.Buffers;

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

    /// <summary>The whole body, or null when it is larger than <paramref name="cap"/> bytes.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpContent content, int cap, CancellationToken ct)
    {
        if (content.Headers.ContentLength > cap)
            return null;
        await using var stream = await content.ReadAsStreamAsync(ct);
        var body = new ArrayBufferWriter<byte>((int)Math.Min(content.Headers.ContentLength ?? Chunk, cap) + 1);
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
