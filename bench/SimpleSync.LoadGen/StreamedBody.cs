using System.Diagnostics;

namespace SimpleSync.LoadGen;

/// <summary>What reading one large response body found.</summary>
/// <param name="FirstByteAt">Stopwatch timestamp of the first body bytes.</param>
/// <param name="DoneAt">Stopwatch timestamp of the end of the body.</param>
/// <param name="Tail">The last bytes of the body, where a sync answer keeps cursor and more.</param>
internal sealed record StreamedBody(long Events, long Bytes, long FirstByteAt, long DoneAt, byte[] Tail);

/// <summary>
/// Reads a history-sized body in chunks without keeping it, counting its events on the way (one
/// <c>{"uuid":</c> each, or the peer's marker) so that a pull is checked for completeness while
/// the load generator holds a few kilobytes, not the history.
/// </summary>
internal static class StreamedBodyReader
{
    private const int Keep = 64;
    private static readonly byte[] EventMarker = "{\"uuid\":"u8.ToArray();

    public static Task<StreamedBody> ReadAsync(HttpResponseMessage response, byte[] buffer, CancellationToken ct) =>
        ReadAsync(response, buffer, EventMarker, ct);

    /// <param name="marker">Occurs once in each event of the body and nowhere else; shorter than 64 bytes.</param>
    public static async Task<StreamedBody> ReadAsync(HttpResponseMessage response, byte[] buffer, byte[] marker, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        long events = 0, bytes = 0, firstByteAt = 0;
        var carried = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(carried), ct);
            if (read == 0)
                break;
            if (firstByteAt == 0)
                firstByteAt = Stopwatch.GetTimestamp();
            bytes += read;
            var span = buffer.AsSpan(0, carried + read);
            // The carried bytes were searched last time: only a marker that ends in the new bytes counts.
            events += span.Count(marker) - span[..carried].Count(marker);
            carried = Math.Min(span.Length, Keep);
            span[^carried..].CopyTo(buffer);
        }
        return new StreamedBody(events, bytes, firstByteAt, Stopwatch.GetTimestamp(), buffer.AsSpan(0, carried).ToArray());
    }
}
