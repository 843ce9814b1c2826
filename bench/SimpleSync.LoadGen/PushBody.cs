using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.LoadGen;

/// <summary>
/// A push body built once and sent many times: SimpleSync's <c>POST /sync</c>, or the peer's
/// <c>POST /{db}/_bulk_docs</c> with the same fields. Between sends only the cursor and the
/// events' uuids and timestamps change, and they are rewritten in place (fixed-width fields), so
/// the load generator spends its time waiting for the server rather than writing JSON.
/// <code>{"cursor":          123,"events":[{"uuid":"…","timestamp":…,…},…]}</code>
/// <code>{"docs":[{"_id":"…","timestamp":…,…},…]}</code>
/// The cursor is right-aligned in 19 characters; JSON allows the spaces before a number.
/// Timestamps are milliseconds since the epoch, 13 digits until the year 2286.
/// </summary>
internal sealed class PushBody
{
    /// <summary>A cursor past any head: the answer carries the results and no events (push only).</summary>
    public const long PastTheHead = long.MaxValue;

    private const int CursorWidth = 19;
    private static readonly byte[] Prefix = "{\"cursor\":"u8.ToArray();
    private static readonly byte[] EventsName = ",\"events\":"u8.ToArray();
    private static readonly byte[] DocsPrefix = "{\"docs\":"u8.ToArray();

    private const int TimestampWidth = 13;
    private static readonly byte[] TimestampName = "\"timestamp\":"u8.ToArray();

    private readonly byte[] _bytes;
    private readonly int _envelope;
    private readonly bool _hasCursor;
    private readonly int[] _uuidAt;
    private readonly int[] _timestampAt;

    private PushBody(byte[] bytes, int envelope, bool hasCursor, int[] uuidAt, int[] timestampAt)
    {
        _bytes = bytes;
        _envelope = envelope;
        _hasCursor = hasCursor;
        _uuidAt = uuidAt;
        _timestampAt = timestampAt;
    }

    public ReadOnlyMemory<byte> Bytes => _bytes;

    public int Count => _uuidAt.Length;

    /// <summary>Average size of one event's JSON in the body.</summary>
    public double BytesPerEvent => (double)(_bytes.Length - _envelope) / Count;

    /// <summary>
    /// A <c>POST /sync</c> body of <paramref name="count"/> events by <paramref name="userUuid"/>:
    /// items <c>task-N</c>, action <c>update</c> and a small JSON payload, about 290 bytes an event in all.
    /// </summary>
    public static PushBody Create(string userUuid, int count, int seed = 0)
    {
        var prefix = Prefix.Concat(Encoding.ASCII.GetBytes(new string(' ', CursorWidth - 1) + "0")).Concat(EventsName).ToArray();
        return Build(prefix, hasCursor: true, count, seed, (json, e) => EventJson.Write(json, e), userUuid);
    }

    /// <summary>
    /// The same events as CouchDB documents for <c>_bulk_docs</c>: the uuid as <c>_id</c>, then
    /// the other five fields under the same names, so the peer stores and sends the same data.
    /// </summary>
    public static PushBody CreateDocs(string userUuid, int count, int seed = 0) =>
        Build(DocsPrefix, hasCursor: false, count, seed, WriteDoc, userUuid);

    private static void WriteDoc(Utf8JsonWriter json, Event e)
    {
        json.WriteStartObject();
        json.WriteString("_id", e.Uuid);
        json.WriteNumber("timestamp", e.Timestamp);
        json.WriteString("userUuid", e.UserUuid);
        json.WriteString("itemUuid", e.ItemUuid);
        json.WriteString("action", e.Action);
        json.WriteString("payload", e.Payload);
        json.WriteEndObject();
    }

    private static PushBody Build(byte[] prefix, bool hasCursor, int count, int seed, Action<Utf8JsonWriter, Event> write, string userUuid)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 256 + 64);
        buffer.Write(prefix);
        var uuids = new string[count];
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            json.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                uuids[i] = Guid.CreateVersion7().ToString();
                write(json, Sample(uuids[i], now - (ulong)count + (ulong)i + 1, userUuid, seed + i));
            }
            json.WriteEndArray();
        }
        buffer.Write("}"u8);
        var bytes = buffer.WrittenSpan.ToArray();
        var uuidAt = FindUuids(bytes, uuids);
        return new PushBody(bytes, prefix.Length + 3, hasCursor, uuidAt,
            uuidAt.Select(at => bytes.AsSpan(at).IndexOf(TimestampName) + at + TimestampName.Length).ToArray());
    }

    /// <summary>
    /// Event number <paramref name="n"/> of the load: the same item, action and payload wherever
    /// it is stored (pushed to either server, or inserted straight into SQLite for the physical limit).
    /// </summary>
    public static Event Sample(string uuid, ulong timestamp, string userUuid, int n) => new(
        uuid, timestamp, userUuid, $"task-{n % 1000}", "update",
        $"{{\"title\":\"Buy milk and bread\",\"done\":{(n % 2 == 0 ? "false" : "true")},\"n\":{n},\"tags\":[\"home\",\"errand\"]}}");

    /// <summary>Where each uuid's text starts: each is searched after the previous one, so this is linear.</summary>
    private static int[] FindUuids(byte[] bytes, string[] uuids)
    {
        var at = new int[uuids.Length];
        var from = 0;
        for (var i = 0; i < uuids.Length; i++)
        {
            var found = bytes.AsSpan(from).IndexOf(Encoding.ASCII.GetBytes(uuids[i]));
            at[i] = from + found;
            from = at[i] + 36;
        }
        return at;
    }

    public void SetCursor(long cursor)
    {
        if (!_hasCursor)
            throw new InvalidOperationException("a _bulk_docs body has no cursor");
        var field = _bytes.AsSpan(Prefix.Length, CursorWidth);
        field.Fill((byte)' ');
        Span<byte> digits = stackalloc byte[CursorWidth];
        cursor.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        digits[..written].CopyTo(field[(CursorWidth - written)..]);
    }

    /// <summary>
    /// Makes the events new: fresh uuids, so the next send stores them rather than finding
    /// duplicates, and timestamps of the last few milliseconds in order, as a client that
    /// recorded them just now would send; the history index then grows at its end, as in use.
    /// </summary>
    public void Renew()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < _uuidAt.Length; i++)
        {
            SetUuid(i, Guid.CreateVersion7());
            (now - _uuidAt.Length + i + 1).TryFormat(_bytes.AsSpan(_timestampAt[i], TimestampWidth), out _, default, CultureInfo.InvariantCulture);
        }
    }

    public void SetUuid(int index, Guid uuid) =>
        uuid.TryFormat(_bytes.AsSpan(_uuidAt[index], 36), out _, "D");
}
