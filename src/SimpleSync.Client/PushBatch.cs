using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>
/// The body of one <c>POST /sync</c>, cut to a byte budget. The JSON is written here, event by
/// event, so the cut is exact: the size of what is sent, not an estimate of it.
/// </summary>
internal sealed class PushBatch
{
    private static readonly byte[] End = "]}"u8.ToArray();

    private PushBatch(long cursor, List<Event> events, ReadOnlyMemory<byte> body)
    {
        Cursor = cursor;
        Events = events;
        Body = body;
    }

    public long Cursor { get; }

    /// <summary>The events in the body, a prefix of those offered, in the same order.</summary>
    public List<Event> Events { get; }

    /// <summary><c>{"cursor":N,"events":[…]}</c> as UTF-8.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// Takes events from the start of <paramref name="pending"/> while the body stays within
    /// <paramref name="maxBytes"/>, and always the first one: an event larger than the budget goes
    /// alone, and the server decides.
    /// </summary>
    public static PushBatch Create(long cursor, IReadOnlyList<Event> pending, int maxBytes)
    {
        var body = new ArrayBufferWriter<byte>();
        body.Write(Encoding.UTF8.GetBytes($$"""{"cursor":{{cursor.ToString(CultureInfo.InvariantCulture)}},"events":["""));
        var one = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(one, new JsonWriterOptions { Encoder = EventJson.Encoder });
        var events = new List<Event>();
        foreach (var e in pending)
        {
            one.ResetWrittenCount();
            json.Reset(one);
            EventJson.Write(json, e);
            json.Flush();
            var separator = events.Count == 0 ? 0 : 1;
            if (events.Count > 0 && (long)body.WrittenCount + separator + one.WrittenCount + End.Length > maxBytes)
                break;
            if (separator == 1)
                body.Write(","u8);
            body.Write(one.WrittenSpan);
            events.Add(e);
        }
        body.Write(End);
        return new PushBatch(cursor, events, body.WrittenMemory);
    }
}

/// <summary>
/// How much one push may carry. Starts from the options; every 413 for a batch of more than one
/// event halves both, for the rest of the client's life, so a server (or proxy) with lower
/// limits than the defaults costs a few refused pushes once rather than on every sync.
/// </summary>
internal readonly record struct PushLimits(int Events, int Bytes)
{
    public PushLimits Halved(PushBatch refused) =>
        new(Math.Max(1, refused.Events.Count / 2), Math.Max(1, Math.Min(Bytes, refused.Body.Length) / 2));
}
