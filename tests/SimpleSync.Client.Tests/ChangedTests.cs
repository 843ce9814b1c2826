using SimpleSync.Client.Tests.Support;
using SimpleSync.Protocol;
using static SimpleSync.Client.Tests.Support.HostileServer;

namespace SimpleSync.Client.Tests;

/// <summary><see cref="SyncClient.Changed"/> is raised once per change applied and carries the events it added.</summary>
public sealed class ChangedTests(HostileServer peer) : IClassFixture<HostileServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Live_messages_that_arrive_together_are_applied_with_one_changed_carrying_all_their_events()
    {
        const string name = "three-messages-at-once";
        var events = new[] { "0a", "0b", "0c" }.Select(end => ValidEvent.Replace("0a\"", end + "\"", StringComparison.Ordinal)).ToArray();
        // One write, chunked as a live stream is: the three messages reach the client together.
        peer.Cases.TryAdd(name, new HostileCase(HostileTarget.Stream,
            $"event: hello\ndata: {{\"epoch\":\"{Epoch}\",\"cursor\":0}}\n\n"
            + string.Concat(events.Select((e, i) => $"id: {i + 1}\nevent: events\ndata: [{e}]\n\n")),
            "text/event-stream", Chunked: true));
        using var http = new HttpClient { BaseAddress = peer.BaseAddressOf(name), Timeout = TimeSpan.FromSeconds(30) };
        using var client = new SyncClient(http, null);
        await client.LoginAsync("alice", "password", Ct);
        var additions = new List<IReadOnlyList<Event>>();
        client.Changed += (_, change) =>
        {
            if (change.Added.Count > 0)
            {
                lock (additions)
                    additions.Add(change.Added);
            }
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var watch = client.WatchAsync(stop.Token);
        await client.UntilAsync(c => c.Events().Count == 3, TimeSpan.FromSeconds(30), "the three live events are applied");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);

        lock (additions)
            Assert.Equal(["0a", "0b", "0c"], Assert.Single(additions).Select(e => e.Uuid[^2..]));
    }

    [Fact]
    public async Task Changed_carries_a_recorded_event_and_the_events_a_sync_brought_but_not_the_devices_own_settled_ones()
    {
        await using var devices = await TwoDevices.StartAsync();
        var (alice, bob) = (devices.Alice, devices.Bob);
        var fromBob = bob.Record("task-1", "create", "{}");
        await bob.SyncAsync(Ct);
        var added = new List<Event>();
        var raised = 0;
        alice.Changed += (_, change) =>
        {
            raised++;
            added.AddRange(change.Added);
        };

        var own = alice.Record("task-2", "create", "{}");
        Assert.Equal([own], added);
        added.Clear();
        raised = 0;
        await alice.SyncAsync(Ct);

        Assert.Equal([fromBob], added);
        // Syncing, the one answer applied, done.
        Assert.Equal(3, raised);
        Assert.Equal(new[] { fromBob, own }.Order(Event.HistoryOrder), alice.Events());
    }
}
