using System.Diagnostics;

namespace SimpleSync.LoadGen;

/// <summary>Called with one Server-Sent Events message (without its blank line) and when its last byte arrived.</summary>
internal delegate void SseMessageHandler(ReadOnlySpan<byte> message, long arrivedAt);

/// <summary>
/// Splits a text/event-stream into messages with as little work as possible, so that a hundred
/// readers in the load generator take little CPU from the server they share the machine with.
/// The arrival time is taken as soon as a read returns, before any parsing.
/// </summary>
internal static class SseReader
{
    private static readonly byte[] BlankLine = "\n\n"u8.ToArray();

    /// <summary>Reads until the server ends the stream or <paramref name="ct"/> fires.</summary>
    public static Task ReadAsync(Stream stream, SseMessageHandler onMessage, CancellationToken ct) =>
        ReadAsync(stream, BlankLine, onMessage, ct);

    /// <summary>
    /// The same for any feed of messages that end with <paramref name="delimiter"/>: a blank line
    /// in an event stream, a newline in CouchDB's continuous changes feed.
    /// </summary>
    public static async Task ReadAsync(Stream stream, byte[] delimiter, SseMessageHandler onMessage, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, buffer.Length * 2);
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            var arrivedAt = Stopwatch.GetTimestamp();
            if (read == 0)
                return;
            filled += read;
            filled = Dispatch(buffer, filled, delimiter, onMessage, arrivedAt);
        }
    }

    /// <summary>Hands over every complete message and moves the incomplete rest to the front; returns its length.</summary>
    private static int Dispatch(byte[] buffer, int filled, byte[] delimiter, SseMessageHandler onMessage, long arrivedAt)
    {
        var start = 0;
        while (true)
        {
            var end = buffer.AsSpan(start, filled - start).IndexOf(delimiter);
            if (end < 0)
                break;
            onMessage(buffer.AsSpan(start, end), arrivedAt);
            start += end + delimiter.Length;
        }
        buffer.AsSpan(start, filled - start).CopyTo(buffer);
        return filled - start;
    }

    /// <summary>True for a message of type <c>events</c> (the others are comments, <c>hello</c> and <c>end</c>), whichever line its type is on.</summary>
    public static bool IsEvents(ReadOnlySpan<byte> message) =>
        message.StartsWith("event: events\n"u8) || message.IndexOf("\nevent: events\n"u8) >= 0;
}
