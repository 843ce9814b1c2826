using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

public sealed class EventsEndpointTests
{
    [Fact]
    public async Task A_push_is_answered_with_the_whole_history_in_timestamp_then_uuid_order()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var late = TestEvents.New(alice, timestamp: 300);
        var early = TestEvents.New(alice, timestamp: 100);
        var tieB = TestEvents.New(alice, timestamp: 200) with { Uuid = "bbbbbbbb-0000-7000-8000-000000000000" };
        var tieA = TestEvents.New(alice, timestamp: 200) with { Uuid = "aaaaaaaa-0000-7000-8000-000000000000" };

        using var first = await client.PushAsync(late, tieB);
        Assert.Equal([tieB, late], await first.ReadEventsAsync());
        using var second = await client.PushAsync(early, tieA);

        Assert.Equal([early, tieA, tieB, late], await second.ReadEventsAsync());
        Assert.Equal("4", second.Headers.GetValues("Sync-Cursor").Single());
        Assert.Equal("0", second.Headers.GetValues("Sync-Rejected").Single());
        Assert.Equal([early, tieA, tieB, late], await client.GetHistoryAsync());
    }

    [Fact]
    public async Task FromTimestamp_returns_events_at_or_after_it()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var events = new ulong[] { 10, 20, 30 }.Select(t => TestEvents.New(alice, timestamp: t)).ToArray();
        (await client.PushAsync(events)).Dispose();

        Assert.Equal(events[1..], await client.GetHistoryAsync("?fromTimestamp=20"));
        Assert.Equal(events, await client.GetHistoryAsync("?fromTimestamp=0"));
        Assert.Empty(await client.GetHistoryAsync("?fromTimestamp=18446744073709551615"));
    }

    [Fact]
    public async Task Timestamps_across_the_whole_unsigned_range_keep_their_order()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var events = new ulong[] { ulong.MaxValue, 0, 1UL << 63, (1UL << 63) - 1 }.Select(t => TestEvents.New(alice, timestamp: t)).ToArray();

        using var response = await client.PushAsync(events);

        Assert.Equal(events.OrderBy(e => e.Timestamp).ToList(), await response.ReadEventsAsync());
        Assert.Equal([events[0]], await client.GetHistoryAsync($"?fromTimestamp={ulong.MaxValue}"));
    }

    [Theory]
    [InlineData("?fromTimestamp=-1")]
    [InlineData("?fromTimestamp=abc")]
    [InlineData("?fromTimestamp=")]
    [InlineData("?fromTimestamp=1.5")]
    [InlineData("?fromTimestamp=18446744073709551616")]
    [InlineData("?fromTimestamp=1&fromTimestamp=2")]
    public async Task A_bad_fromTimestamp_is_400(string query)
    {
        await using var server = await LiveServer.StartAsync();
        var (_, client) = await server.NewUserAsync("alice");

        using var response = await client.GetAsync($"/events{query}", TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.True(problem.GetProperty("errors").TryGetProperty("fromTimestamp", out _));
    }

    [Fact]
    public async Task Re_pushing_an_event_stores_it_once_and_counts_no_rejection()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var e = TestEvents.New(alice);

        (await client.PushAsync(e)).Dispose();
        using var again = await client.PushAsync(e, e);

        Assert.Equal([e], await again.ReadEventsAsync());
        Assert.Equal("0", again.Headers.GetValues("Sync-Rejected").Single());
        Assert.Equal("1", again.Headers.GetValues("Sync-Cursor").Single());
    }

    [Fact]
    public async Task Invalid_denied_foreign_and_conflicting_events_are_left_out_and_the_rest_stored()
    {
        await using var server = await LiveServer.StartAsync();
        await server.SetAclAsync(new AclRule("*", "task-*", "*", true));
        var (alice, client) = await server.NewUserAsync("alice");
        var stored = TestEvents.New(alice);
        (await client.PushAsync(stored)).Dispose();

        var good = TestEvents.New(alice, item: "task-2");
        var denied = TestEvents.New(alice, item: "note-1");
        var foreign = TestEvents.New("someone-else");
        var conflicting = stored with { Payload = "{\"changed\":true}" };
        var tooBig = TestEvents.New(alice, payload: new string('x', EventRules.DefaultMaxPayloadBytes + 1));
        var badUuid = TestEvents.New(alice) with { Uuid = "not-a-uuid" };
        using var response = await client.PushAsync(good, denied, foreign, conflicting, tooBig, badUuid);

        Assert.Equal([stored, good], await response.ReadEventsAsync());
        Assert.Equal("5", response.Headers.GetValues("Sync-Rejected").Single());
    }

    [Fact]
    public async Task An_empty_push_stores_nothing_and_returns_the_history()
    {
        await using var server = await LiveServer.StartAsync();
        var (_, client) = await server.NewUserAsync("alice");

        using var response = await client.PostAsync("/events", TestEvents.Content("[]"), TestContext.Current.CancellationToken);

        Assert.Empty(await response.ReadEventsAsync());
        Assert.Equal("0", response.Headers.GetValues("Sync-Cursor").Single());
    }

    [Fact]
    public async Task Payloads_come_back_with_plain_JSON_escapes()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        (await client.PushAsync(TestEvents.New(alice, payload: "{\"title\":\"Buy milk & <eggs>\"}"))).Dispose();

        var raw = await client.GetStringAsync("/events", TestContext.Current.CancellationToken);

        Assert.Contains("\"payload\":\"{\\\"title\\\":\\\"Buy milk & <eggs>\\\"}\"", raw, StringComparison.Ordinal);
    }
}
