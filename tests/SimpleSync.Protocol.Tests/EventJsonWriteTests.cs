using System.Text.Json;

namespace SimpleSync.Protocol.Tests;

public sealed class EventJsonWriteTests
{
    private const string Uuid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    public static TheoryData<string> AwkwardText() =>
    [
        "plain",
        "\"quoted\" and 'single'",
        "back\\slash and \\u0041 that is not an escape",
        "line\nbreak\r\nand\ttab",
        "nul \0 and \u001f and \u007f",
        "é ß 漢字 \U0001F600 \u2028 \u2029",
        "</script><b>&amp;</b> + =",
        "{\"json\":[1,\"two\",{\"three\":null}]}",
    ];

    [Theory]
    [MemberData(nameof(AwkwardText))]
    public void A_written_event_reads_back_equal(string text)
    {
        var item = text.Any(char.IsControl) ? "item" : text;
        var events = new[]
        {
            new Event(Uuid, 0, "user-1", item, "set", text),
            new Event(Uuid.ToUpperInvariant(), ulong.MaxValue, "user-1", "item", item, text),
        };

        var json = Write(events);

        Assert.Equal(events, EventJson.ReadArray(json, int.MaxValue).Select(p => p.Event));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(text, document.RootElement[0].GetProperty("payload").GetString());
    }

    [Fact]
    public void An_event_is_written_as_exactly_its_six_fields_with_a_numeric_timestamp()
    {
        var e = new Event(Uuid, ulong.MaxValue, "user-1", "task-1", "create", "{}");

        using var document = JsonDocument.Parse(Write([e]));

        var written = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal(["uuid", "timestamp", "userUuid", "itemUuid", "action", "payload"], written.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, written.GetProperty("timestamp").ValueKind);
        Assert.Equal(ulong.MaxValue, written.GetProperty("timestamp").GetUInt64());
        Assert.Equal("task-1", written.GetProperty("itemUuid").GetString());
    }

    private static byte[] Write(IEnumerable<Event> events)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var e in events)
                EventJson.Write(writer, e);
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }
}
