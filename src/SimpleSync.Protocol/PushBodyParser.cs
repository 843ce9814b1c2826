using System.Text.Json;

namespace SimpleSync.Protocol;

/// <summary>The two shapes of a pushed body.</summary>
public enum PushBodyShape
{
    /// <summary><c>POST /events</c>: a JSON array of events.</summary>
    EventArray,

    /// <summary><c>POST /sync</c>: <c>{"cursor": N, "events": [...]}</c>, members in any order.</summary>
    SyncRequest,
}

/// <summary>
/// Reads a pushed body strictly and incrementally, as its bytes arrive, one whole element at a
/// time. A server can therefore stop reading as soon as the body has more events than it takes,
/// instead of parsing megabytes first; an element that is not an object costs no more than its
/// bytes. Elements that are not valid events come back with their rejection, in place, while the
/// rest are kept; anything else wrong with the body makes it malformed as a whole.
/// </summary>
public sealed class PushBodyParser
{
    private static readonly ParsedEvent NotAnObject = new(null, null, EventRules.Invalid("event", "must be a JSON object"));

    private readonly PushBodyShape _shape;
    private readonly int _maxPayloadBytes;
    private readonly int _maxEvents;
    private readonly long _maxElementBytes;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 64 });
    private Stage _stage;
    private bool _sawEvents;

    /// <param name="shape">Which body this is.</param>
    /// <param name="maxPayloadBytes">The payload limit each event is checked against.</param>
    /// <param name="maxEvents">The most events the body may hold; past it <see cref="TooManyEvents"/> turns true and reading stops.</param>
    /// <param name="maxElementBytes">The most bytes of JSON one element may take; past it <see cref="ElementTooLarge"/> turns true and reading stops.</param>
    public PushBodyParser(PushBodyShape shape, int maxPayloadBytes, int maxEvents = int.MaxValue, long maxElementBytes = long.MaxValue)
    {
        _shape = shape;
        _maxPayloadBytes = maxPayloadBytes;
        _maxEvents = maxEvents;
        _maxElementBytes = maxElementBytes;
    }

    private enum Stage
    {
        Start,
        Members,
        CursorValue,
        EventsValue,
        Elements,
        End,
    }

    /// <summary>The elements read so far, each a valid event or its rejection, in order.</summary>
    public List<ParsedEvent> Events { get; } = [];

    /// <summary>The <c>cursor</c> of a sync request, once read.</summary>
    public long? Cursor { get; private set; }

    /// <summary>True once the body held one element more than allowed: stop feeding, the body is too large.</summary>
    public bool TooManyEvents { get; private set; }

    /// <summary>True once an element was longer than allowed: stop feeding, the body is too large.</summary>
    public bool ElementTooLarge { get; private set; }

    /// <summary>True once the whole body was read and found well formed.</summary>
    public bool IsComplete => _stage == Stage.End;

    /// <summary>
    /// Reads every whole value at the start of <paramref name="data"/> and returns how many bytes it
    /// used. The bytes after that begin a value that is not complete yet: pass them again, followed
    /// by more, on the next call. Throws <see cref="JsonException"/> when the body is malformed,
    /// including a final block that ends before the body does.
    /// </summary>
    public int Feed(ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        while (!TooManyEvents && !ElementTooLarge)
        {
            var before = reader;
            if (!reader.Read())
                break;
            if (_stage == Stage.Elements && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!ReadElement(ref reader, data))
                {
                    reader = before;
                    break;
                }
                continue;
            }
            Structure(ref reader);
        }
        if (isFinalBlock && !TooManyEvents && !ElementTooLarge && _stage != Stage.End)
            throw new JsonException("the body ends before its JSON does");
        _state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>Reads one element whole (false when its end has not arrived yet) and adds it.</summary>
    private bool ReadElement(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var end = reader;
            if (!end.TrySkip())
                return false;
            if (end.BytesConsumed - start > _maxElementBytes)
            {
                ElementTooLarge = true;
                return true;
            }
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                // A reader of its own over the complete element, so the event reader may skip freely.
                var element = new Utf8JsonReader(data[start..(int)end.BytesConsumed], new JsonReaderOptions { MaxDepth = 64 });
                element.Read();
                Add(EventJson.ReadOne(ref element, _maxPayloadBytes));
            }
            else
            {
                Add(NotAnObject);
            }
            reader = end;
            return true;
        }
        Add(NotAnObject);
        return true;
    }

    private void Add(ParsedEvent parsed)
    {
        Events.Add(parsed);
        if (Events.Count > _maxEvents)
            TooManyEvents = true;
    }

    /// <summary>Everything around the elements: the root, the members of a sync request, the end.</summary>
    private void Structure(ref Utf8JsonReader reader)
    {
        var token = reader.TokenType;
        switch (_stage)
        {
            case Stage.Start when _shape == PushBodyShape.EventArray:
                _stage = token == JsonTokenType.StartArray ? Stage.Elements : throw new JsonException("the body must be a JSON array of events");
                break;
            case Stage.Start:
                _stage = token == JsonTokenType.StartObject ? Stage.Members
                    : throw new JsonException("the body must be a JSON object {\"cursor\": N, \"events\": [...]}");
                break;
            case Stage.Members when token == JsonTokenType.EndObject:
                _stage = Cursor is null ? throw new JsonException("cursor: is missing") : Stage.End;
                break;
            case Stage.Members:
                _stage = Member(ref reader);
                break;
            case Stage.CursorValue:
                if (token != JsonTokenType.Number || !reader.TryGetInt64(out var cursor) || cursor < 0)
                    throw new JsonException("cursor: must be an integer of 0 or more");
                Cursor = cursor;
                _stage = Stage.Members;
                break;
            case Stage.EventsValue:
                _stage = token == JsonTokenType.StartArray ? Stage.Elements : throw new JsonException("events: must be an array of events");
                break;
            case Stage.Elements:
                // The end of the events array: the end of the body, or back among the members.
                _stage = _shape == PushBodyShape.EventArray ? Stage.End : Stage.Members;
                break;
            default:
                throw new JsonException("unexpected data after the body");
        }
    }

    private Stage Member(ref Utf8JsonReader reader)
    {
        string name;
        try
        {
            name = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonException("a member name is not valid Unicode text");
        }
        switch (name)
        {
            case "cursor" when Cursor is null:
                return Stage.CursorValue;
            case "events" when !_sawEvents:
                _sawEvents = true;
                return Stage.EventsValue;
            case "cursor" or "events":
                throw new JsonException($"{name}: appears more than once");
            default:
                throw new JsonException($"{name}: is not a field of a sync request");
        }
    }
}
