using System.Text.Json;

namespace SimpleSync.Protocol;

/// <summary>
/// Reads and writes events as JSON. Reading is strict and per element: one bad event in a
/// pushed array is reported on its own while the rest are kept, so this cannot be plain
/// deserialisation. Writing goes straight to a <see cref="Utf8JsonWriter"/> so histories
/// stream without being materialised.
/// </summary>
public static class EventJson
{
    private static readonly JsonEncodedText UuidName = JsonEncodedText.Encode("uuid");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText UserUuidName = JsonEncodedText.Encode("userUuid");
    private static readonly JsonEncodedText ItemUuidName = JsonEncodedText.Encode("itemUuid");
    private static readonly JsonEncodedText ActionName = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText PayloadName = JsonEncodedText.Encode("payload");

    /// <summary>
    /// The escaping for event JSON: only what JSON itself requires, so a payload such as
    /// <c>{"title":"Buy milk"}</c> reads as <c>"{"title":"Buy milk"}"</c> rather than with
    /// <c>"</c> everywhere. The default encoder also escapes HTML-sensitive characters for
    /// JSON embedded in a web page; these documents are never that.
    /// </summary>
    public static System.Text.Encodings.Web.JavaScriptEncoder Encoder { get; } =
        System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Writes one event as a JSON object with exactly its six fields.</summary>
    public static void Write(Utf8JsonWriter writer, Event e)
    {
        writer.WriteStartObject();
        writer.WriteString(UuidName, e.Uuid);
        writer.WriteNumber(TimestampName, e.Timestamp);
        writer.WriteString(UserUuidName, e.UserUuid);
        writer.WriteString(ItemUuidName, e.ItemUuid);
        writer.WriteString(ActionName, e.Action);
        writer.WriteString(PayloadName, e.Payload);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads a JSON array of events. Elements that are not valid events come back with their
    /// rejection, in place. Throws <see cref="JsonException"/> when the text is not JSON or
    /// its root is not an array: then the request as a whole is malformed.
    /// </summary>
    public static List<ParsedEvent> ReadArray(ReadOnlySpan<byte> json, int maxPayloadBytes)
    {
        var parser = new PushBodyParser(PushBodyShape.EventArray, maxPayloadBytes);
        parser.Feed(json, isFinalBlock: true);
        return parser.Events;
    }

    /// <summary>
    /// Reads one event from a reader positioned on the first token of a value, leaving it on the
    /// value's last token. A value that is not a valid event is skipped and reported.
    /// </summary>
    public static ParsedEvent ReadOne(ref Utf8JsonReader reader, int maxPayloadBytes)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new ParsedEvent(null, null, EventRules.Invalid("event", "must be a JSON object"));
        }

        var fields = new EventFields();
        EventRejection? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = ReadPropertyName(ref reader);
            reader.Read();
            var fieldProblem = name is null
                ? EventRules.Invalid("event", "a field name is not valid Unicode text")
                : fields.Read(name, ref reader);
            problem ??= fieldProblem;
            if (fieldProblem is not null)
                reader.Skip();
        }

        problem ??= fields.Missing();
        if (problem is not null)
            return new ParsedEvent(null, fields.Uuid, problem);
        var e = fields.ToEvent();
        var rejection = EventRules.Validate(e, maxPayloadBytes);
        return rejection is null ? new ParsedEvent(e, e.Uuid, null) : new ParsedEvent(null, e.Uuid, rejection);
    }

    /// <summary>
    /// A name whose escapes decode to a lone surrogate (or whose bytes are not UTF-8) is valid JSON
    /// but not text: it makes this one event invalid instead of failing the whole array.
    /// </summary>
    private static string? ReadPropertyName(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Collects the six fields of one object, refusing duplicates, unknown names and wrong types.</summary>
    private ref struct EventFields
    {
        public string? Uuid;
        private ulong? _timestamp;
        private string? _userUuid, _itemUuid, _action, _payload;

        public EventRejection? Read(string name, ref Utf8JsonReader reader)
        {
            switch (name)
            {
                case "uuid": return ReadString(name, ref reader, ref Uuid);
                case "userUuid": return ReadString(name, ref reader, ref _userUuid);
                case "itemUuid": return ReadString(name, ref reader, ref _itemUuid);
                case "action": return ReadString(name, ref reader, ref _action);
                case "payload": return ReadString(name, ref reader, ref _payload);
                case "timestamp":
                    if (_timestamp is not null)
                        return EventRules.Invalid(name, "appears more than once");
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var ts))
                        return EventRules.Invalid(name, "must be an integer from 0 to 18446744073709551615");
                    _timestamp = ts;
                    return null;
                default:
                    return EventRules.Invalid(name, "is not an event field");
            }
        }

        private static EventRejection? ReadString(string name, ref Utf8JsonReader reader, ref string? slot)
        {
            if (slot is not null)
                return EventRules.Invalid(name, "appears more than once");
            if (reader.TokenType != JsonTokenType.String)
                return EventRules.Invalid(name, "must be a string");
            try
            {
                slot = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // Escapes that decode to lone surrogates (or bytes that are not UTF-8) are not valid text.
                return EventRules.Invalid(name, "must be valid Unicode text");
            }
            return null;
        }

        public readonly EventRejection? Missing()
        {
            var missing = Uuid is null ? "uuid"
                : _timestamp is null ? "timestamp"
                : _userUuid is null ? "userUuid"
                : _itemUuid is null ? "itemUuid"
                : _action is null ? "action"
                : _payload is null ? "payload"
                : (string?)null;
            return missing is null ? null : EventRules.Invalid(missing, "is missing");
        }

        public readonly Event ToEvent() =>
            new(Uuid!, _timestamp!.Value, _userUuid!, _itemUuid!, _action!, _payload!);
    }
}
