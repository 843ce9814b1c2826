using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// Malformed pushes. A body that is not a JSON array of values is refused whole and stores
/// nothing; an element that is not a valid event is left out and counted while the rest are stored.
/// </summary>
public sealed class BadInputTests(SharedServer shared) : IClassFixture<SharedServer>
{
    /// <summary>"{valid}" stands for a valid event of Alice's, which must not be stored either.</summary>
    public static TheoryData<string> MalformedBodies() =>
    [
        "not json",
        "{valid}",
        """{"events":[{valid}]}""",
        "[{valid}] garbage",
        "[{valid}] []",
        "[{valid}],",
        "[{valid}]]",
        "[{valid},",
        "[{valid}",
        "[{valid} {valid}]",
        "[{valid},]",
        "",
        "   ",
        "null",
        "\"[]\"",
        "42",
        $"[{{valid}},{new string('[', 100)}{new string(']', 100)}]",
    ];

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_body_that_is_not_a_json_array_is_400_and_stores_nothing(string template)
    {
        await shared.Server.AllowAllAsync();
        var before = await shared.Alice.GetHistoryAsync();
        var valid = TestEvents.New(shared.AliceUuid);

        using var response = await shared.Alice.PostAsync("/events",
            TestEvents.Content(template.Replace("{valid}", EventJson(valid), StringComparison.Ordinal)), TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.Equal(before, await shared.Alice.GetHistoryAsync());
    }

    private const string Uuid = "\"{uuid}\"";
    private const string Ts = "1700000000000";
    private const string User = "\"{user}\"";

    private static string Element(string uuid = Uuid, string timestamp = Ts, string userUuid = User, string itemUuid = "\"task-1\"",
        string action = "\"create\"", string payload = "\"{}\"") =>
        $$"""{"uuid":{{uuid}},"timestamp":{{timestamp}},"userUuid":{{userUuid}},"itemUuid":{{itemUuid}},"action":{{action}},"payload":{{payload}}}""";

    private static string Quoted(string text) => $"\"{text}\"";

    /// <summary>Elements that are not valid events; "{uuid}" and "{user}" stand for a fresh uuid and Alice's uuid.</summary>
    public static TheoryData<string> InvalidElements() =>
    [
        "42", "\"event\"", "null", "true", "[]", "{}",
        """{"timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}"}""",
        """{"uuid":"{uuid}","userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}"}""",
        """{"uuid":"{uuid}","timestamp":1,"itemUuid":"task-1","action":"create","payload":"{}"}""",
        """{"uuid":"{uuid}","timestamp":1,"userUuid":"{user}","action":"create","payload":"{}"}""",
        """{"uuid":"{uuid}","timestamp":1,"userUuid":"{user}","itemUuid":"task-1","payload":"{}"}""",
        """{"uuid":"{uuid}","timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create"}""",
        """{"uuid":"{uuid}","timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}","seq":1}""",
        """{"uuid":"{uuid}","timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}","uuid":"{uuid}"}""",
        """{"uuid":"{uuid}","timestamp":1,"timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}"}""",
        """{"uuid":"{uuid}","timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}","payload":"{}"}""",
        """{"UUID":"{uuid}","timestamp":1,"userUuid":"{user}","itemUuid":"task-1","action":"create","payload":"{}"}""",
        Element(timestamp: "\"1700000000000\""),
        Element(timestamp: "-1"),
        Element(timestamp: "1.5"),
        Element(timestamp: "1700000000000.0"),
        Element(timestamp: "1e3"),
        Element(timestamp: "18446744073709551616"),
        Element(timestamp: "null"),
        Element(timestamp: "true"),
        Element(uuid: "42"),
        Element(uuid: "null"),
        Element(uuid: Quoted("not-a-uuid")),
        Element(uuid: Quoted("0190a5b2c3d47e8f9a0b1c2d3e4f5a6b")),
        Element(uuid: Quoted("{0190a5b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b}")),
        Element(uuid: Quoted("urn:uuid:0190a5b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b")),
        Element(uuid: Quoted("0190a5b2-c3d4-7e8f-9a0b-1c2d3e4f5a6g")),
        Element(uuid: Quoted("0190a5b2c-3d4-7e8f-9a0b-1c2d3e4f5a6b")),
        Element(uuid: Quoted("0190a5b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b ")),
        Element(uuid: Quoted("")),
        Element(userUuid: Quoted("user-bob")),
        Element(userUuid: "7"),
        Element(itemUuid: Quoted("")),
        Element(itemUuid: Quoted(new string('i', 257))),
        Element(itemUuid: Quoted("task-\\u0001")),
        Element(itemUuid: Quoted("task\\n1")),
        Element(itemUuid: Quoted("task-\\u007f")),
        Element(itemUuid: Quoted("task-\\u0085")),
        Element(itemUuid: "[\"task-1\"]"),
        Element(action: Quoted(new string('a', 129))),
        Element(action: Quoted("")),
        Element(action: Quoted("cre\\tate")),
        Element(action: Quoted("create\\ud800")),
        Element(action: "null"),
        Element(payload: "{}"),
        Element(payload: "null"),
        Element(payload: Quoted("\\udc00")),
        Element(payload: Quoted(new string('x', EventRules.DefaultMaxPayloadBytes + 1))),
        Element(payload: Quoted(new string('\u00e9', (EventRules.DefaultMaxPayloadBytes / 2) + 1))),
    ];

    [Theory]
    [MemberData(nameof(InvalidElements))]
    public async Task An_invalid_element_is_left_out_and_counted_while_the_valid_ones_are_stored(string template)
    {
        await shared.Server.AllowAllAsync();
        var before = await shared.Alice.GetHistoryAsync();
        var first = TestEvents.New(shared.AliceUuid);
        var last = TestEvents.New(shared.AliceUuid);
        var badUuid = Guid.CreateVersion7().ToString();
        var bad = template.Replace("{uuid}", badUuid, StringComparison.Ordinal).Replace("{user}", shared.AliceUuid, StringComparison.Ordinal);

        using var response = await shared.Alice.PostAsync("/events",
            TestEvents.Content($"[{EventJson(first)},{bad},{EventJson(last)}]"), TestContext.Current.CancellationToken);

        var history = await response.ReadEventsAsync();
        Assert.Equal("1", response.Headers.GetValues("Sync-Rejected").Single());
        Assert.Equal(before.Count + 2, history.Count);
        Assert.Contains(first, history);
        Assert.Contains(last, history);
        Assert.DoesNotContain(history, e => e.Uuid == badUuid);
        Assert.Equal(history, await shared.Alice.GetHistoryAsync());
    }

    [Fact]
    public async Task Fields_at_their_limits_are_accepted()
    {
        await shared.Server.AllowAllAsync();
        var alice = shared.AliceUuid;
        Event[] events =
        [
            TestEvents.New(alice, item: new string('i', 256)),
            TestEvents.New(alice, item: string.Concat(Enumerable.Repeat("\U0001F600", 256))),
            TestEvents.New(alice, action: new string('a', 128)),
            TestEvents.New(alice, payload: new string('x', EventRules.DefaultMaxPayloadBytes)),
            TestEvents.New(alice, payload: new string('\u00e9', EventRules.DefaultMaxPayloadBytes / 2)),
            TestEvents.New(alice, payload: ""),
            TestEvents.New(alice, timestamp: 0),
            TestEvents.New(alice, timestamp: ulong.MaxValue),
            TestEvents.New(alice) with { Uuid = "0190A5B2-C3D4-7E8F-9A0B-1C2D3E4F5A6B" },
        ];

        using var response = await shared.Alice.PushAsync(events);

        Assert.Equal("0", response.Headers.GetValues("Sync-Rejected").Single());
        var history = await response.ReadEventsAsync();
        Assert.All(events, e => Assert.Contains(e, history));
    }

    private static string EventJson(Event e) => TestEvents.ToJson([e])[1..^1];
}
