using Microsoft.Extensions.Time.Testing;
using SimpleSync.Client.Tests.Support;
using SimpleSync.Protocol;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

/// <summary>
/// <see cref="SyncClient.Items{TState}"/> folds only what arrived since its last read, and starts
/// again when an event lands before what it folded; either way it equals a fold of every event.
/// </summary>
public sealed class ItemsTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Func<string?, Event, string> _trail;
    private int _calls;

    public ItemsTests() =>
        // One delegate for the whole test, so the client finds its fold again. The state is the
        // item's payloads in the order folded: any event out of place shows.
        _trail = (state, e) =>
        {
            Interlocked.Increment(ref _calls);
            return state is null ? e.Payload : $"{state} {e.Payload}";
        };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Items_after_new_events_fold_only_those_and_equal_a_fold_of_every_event()
    {
        await using var server = await StartAsync();
        // The phone's own events come after the laptop's, so that they settle at the end of the history.
        var (phone, phoneClock) = await ClientAsync(server, "alice", Now.AddMinutes(1));
        var (laptop, laptopClock) = await ClientAsync(server, "bob", Now);
        for (var i = 0; i < 5; i++)
            Record(laptop, laptopClock, $"task-{i % 2}", i);
        await laptop.SyncAsync(Ct);
        await phone.SyncAsync(Ct);
        Assert.Equal(FoldOfEvery(phone), Read(phone).ToArray());
        Assert.Equal(5, _calls);

        Record(laptop, laptopClock, "task-0", 5);
        Record(laptop, laptopClock, "task-2", 6);
        await laptop.SyncAsync(Ct);
        await phone.SyncAsync(Ct);
        var pending = Record(phone, phoneClock, "task-1", 7);
        _calls = 0;
        var items = Read(phone);

        Assert.Equal(3, _calls);
        Assert.Equal(FoldOfEvery(phone), items.ToArray());
        Assert.Equal("p0 p2 p4 p5", items["task-0"]);
        Assert.Equal("p1 p3 p7", items["task-1"]);

        // The pending event settles into history order: folded once more, now as a held event.
        await phone.SyncAsync(Ct);
        _calls = 0;
        items = Read(phone);
        Assert.Equal(1, _calls);
        Assert.Equal(FoldOfEvery(phone), items.ToArray());
        Assert.Equal(pending, phone.Events()[^1]);
    }

    [Fact]
    public async Task An_event_that_lands_before_the_folded_ones_makes_the_fold_start_again_from_the_first_event()
    {
        await using var server = await StartAsync();
        var (phone, _) = await ClientAsync(server, "alice", Now);
        var (laptop, laptopClock) = await ClientAsync(server, "bob", Now);
        // A device whose events are older: it was offline, and syncs only now.
        var (offline, offlineClock) = await ClientAsync(server, "bob", Now.AddHours(-1));
        var early = Record(offline, offlineClock, "task-0", 0);
        for (var i = 1; i <= 3; i++)
            Record(laptop, laptopClock, "task-0", i);
        await laptop.SyncAsync(Ct);
        await phone.SyncAsync(Ct);
        Assert.Equal("p1 p2 p3", Read(phone)["task-0"]);

        await offline.SyncAsync(Ct);
        await phone.SyncAsync(Ct);
        _calls = 0;

        var items = Read(phone);

        Assert.Equal(4, _calls);
        Assert.Equal(early, phone.Events()[0]);
        Assert.Equal("p0 p1 p2 p3", items["task-0"]);
        Assert.Equal(FoldOfEvery(phone), items.ToArray());
    }

    [Fact]
    public async Task The_ready_made_reducer_merges_json_objects_across_reads_and_hands_out_states_that_never_change()
    {
        await using var server = await StartAsync();
        var (phone, phoneClock) = await ClientAsync(server, "alice", Now);
        phoneClock.Advance(TimeSpan.FromSeconds(1));
        phone.Record("task-1", "create", """{"title":"milk","done":false}""");
        await phone.SyncAsync(Ct);
        var before = phone.Items();

        phoneClock.Advance(TimeSpan.FromSeconds(1));
        phone.Record("task-1", "update", """{"done":true}""");
        var pendingView = phone.Items();
        await phone.SyncAsync(Ct);
        var after = phone.Items();

        Assert.Equal("""{"title":"milk","done":false}""", before["task-1"].ToJsonString());
        Assert.Equal("""{"title":"milk","done":true}""", pendingView["task-1"].ToJsonString());
        Assert.Equal("""{"title":"milk","done":true}""", after["task-1"].ToJsonString());
    }

    private static async Task<LiveServer> StartAsync()
    {
        var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        await server.CreateUserAsync("bob");
        return server;
    }

    private static async Task<(SyncClient Client, FakeTimeProvider Clock)> ClientAsync(LiveServer server, string user, DateTimeOffset start)
    {
        var clock = new FakeTimeProvider(start);
        return (await server.NewClientAsync(user, time: clock), clock);
    }

    /// <summary>Records payload pN a millisecond after the clock's last event, so events are in a known order.</summary>
    private static Event Record(SyncClient client, FakeTimeProvider clock, string item, int n)
    {
        clock.Advance(TimeSpan.FromMilliseconds(1));
        return client.Record(item, "update", $"p{n}");
    }

    private IReadOnlyDictionary<string, string> Read(SyncClient client) => client.Items(_trail);

    private static KeyValuePair<string, string>[] FoldOfEvery(SyncClient client)
    {
        var items = new Dictionary<string, string>();
        foreach (var e in client.Events())
            items[e.ItemUuid] = items.TryGetValue(e.ItemUuid, out var state) ? $"{state} {e.Payload}" : e.Payload;
        return [.. items];
    }
}
