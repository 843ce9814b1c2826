using System.Text.Json;
using System.Text.Json.Serialization;

namespace SimpleSync.Protocol;

/// <summary>The status of one pushed event in a <c>POST /sync</c> answer.</summary>
public static class PushStatuses
{
    /// <summary>Stored now; it comes back in <c>events</c> with everything else new.</summary>
    public const string Accepted = "accepted";
    /// <summary>Already in the history with identical content: nothing to do (a retried push).</summary>
    public const string Duplicate = "duplicate";
    /// <summary>Refused; <c>reason</c> says why (one of <see cref="RejectionReasons"/>).</summary>
    public const string Rejected = "rejected";
}

/// <summary>What became of one pushed event.</summary>
/// <param name="Uuid">The event's uuid as sent, or null when it had none.</param>
/// <param name="Status">One of <see cref="PushStatuses"/>.</param>
/// <param name="Reason">For rejected events, one of <see cref="RejectionReasons"/>.</param>
/// <param name="Detail">For rejected events, what was wrong, for people.</param>
public sealed record PushResult(
    string? Uuid,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

/// <summary>
/// The answer of <c>GET /sync</c> and <c>POST /sync</c>: events after the request's cursor in
/// seq order, the new cursor, whether to ask again, and the store's epoch.
/// </summary>
/// <param name="Epoch">The store's identity; when it changes, cursors from before mean nothing.</param>
/// <param name="Cursor">The highest seq returned, or the request's cursor when nothing was new.</param>
/// <param name="More">True when more events wait: ask again with <paramref name="Cursor"/>.</param>
/// <param name="Events">Events with seq above the request's cursor, in seq order.</param>
/// <param name="Results">For <c>POST /sync</c>: one result per pushed event, in request order.</param>
public sealed record SyncResponse(
    string Epoch,
    long Cursor,
    bool More,
    IReadOnlyList<Event> Events,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PushResult>? Results = null);

/// <summary>The body of <c>POST /sync</c>: the client's cursor and its pending events.</summary>
/// <param name="Cursor">The highest seq the client has; the answer holds what came after it.</param>
/// <param name="Events">Events to push (may be empty: then this is a pull).</param>
public sealed record SyncRequest(long Cursor, IReadOnlyList<Event> Events);

/// <summary>Reads the body of <c>POST /sync</c>: <c>{"cursor": N, "events": [...]}</c>, strictly.</summary>
public static class SyncRequestJson
{
    /// <summary>
    /// Returns the cursor and the pushed elements, each a valid event or its rejection. Throws
    /// <see cref="JsonException"/> when the body is not such an object (the request fails as a whole).
    /// </summary>
    public static (long Cursor, List<ParsedEvent> Events) Read(ReadOnlySpan<byte> json, int maxPayloadBytes)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("the body must be a JSON object {\"cursor\": N, \"events\": [...]}");
        long? cursor = null;
        List<ParsedEvent>? events = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "cursor" when cursor is null:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var c) || c < 0)
                        throw new JsonException("cursor: must be an integer of 0 or more");
                    cursor = c;
                    break;
                case "events" when events is null:
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw new JsonException("events: must be an array of events");
                    events = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        events.Add(EventJson.ReadOne(ref reader, maxPayloadBytes));
                    break;
                case "cursor" or "events":
                    throw new JsonException($"{name}: appears more than once");
                default:
                    throw new JsonException($"{name}: is not a field of a sync request");
            }
        }
        if (reader.Read())
            throw new JsonException("unexpected data after the object");
        return (cursor ?? throw new JsonException("cursor: is missing"), events ?? []);
    }
}
