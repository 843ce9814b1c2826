using System.Net;
using SimpleSync.Client.Tests.Support;
using SimpleSync.Config;
using SimpleSync.Protocol;

namespace SimpleSync.Client.Tests;

public sealed class PushBatchingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_pending_events_of_2_KB_sync_in_one_SyncAsync_against_a_default_server()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        var network = new PushLog();
        using var client = await server.NewClientAsync("alice", handler: network);
        var recorded = RecordBacklog(client, 10_000, payloadBytes: 2048);

        var result = await client.SyncAsync(Ct);

        Assert.Equal(recorded, result.Accepted);
        Assert.Empty(result.Rejected);
        Assert.Equal(0, client.Status().PendingCount);
        // More than the server's 16 MiB body limit in all, so it took several pushes, none refused.
        Assert.True(network.Pushes.Count > 1, $"{network.Pushes.Count} pushes");
        Assert.All(network.Pushes, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        Assert.True(network.Pushes.Sum(p => p.Bytes) > server.Options.Limits.MaxBodyBytes);
        var history = await server.HistoryAsync();
        Assert.Equal(10_000, history.Count);
        Assert.Equal(history, client.Events());
    }

    /// <summary>Server limits far below the defaults: a 64 KiB body, or 25 events a push.</summary>
    public static TheoryData<int, int> LowerLimits => new()
    {
        { 64 * 1024, 10_000 },
        { 16 * 1024 * 1024, 25 },
    };

    [Theory]
    [MemberData(nameof(LowerLimits))]
    public async Task A_server_with_lower_limits_gets_everything_through_shrinking_pushes_and_later_syncs_push_small_at_once(
        int maxBodyBytes, int maxEventsPerPush)
    {
        await using var server = await SdkServer.StartAsync(new LimitsSection
        {
            MaxBodyBytes = maxBodyBytes,
            MaxEventsPerPush = maxEventsPerPush,
            MaxPayloadBytes = 8 * 1024,
        });
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        var network = new PushLog();
        using var client = await server.NewClientAsync("alice", handler: network);
        var first = RecordBacklog(client, 300, payloadBytes: 2048);

        var result = await client.SyncAsync(Ct);

        Assert.Equal(first, result.Accepted);
        Assert.Equal(0, client.Status().PendingCount);
        Assert.Contains(network.Pushes, p => p.Status == HttpStatusCode.RequestEntityTooLarge);

        network.Clear();
        var second = RecordBacklog(client, 300, payloadBytes: 2048);
        var again = await client.SyncAsync(Ct);

        Assert.Equal(second, again.Accepted);
        Assert.All(network.Pushes, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        var history = await server.HistoryAsync();
        Assert.Equal(600, history.Count);
        Assert.Equal(history, client.Events());
    }

    [Fact]
    public async Task An_event_the_server_refuses_as_too_large_even_alone_is_rejected_as_payload_too_large_and_the_rest_syncs()
    {
        await using var server = await SdkServer.StartAsync(new LimitsSection { MaxBodyBytes = 16 * 1024, MaxPayloadBytes = 8 * 1024 });
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        using var client = await server.NewClientAsync("alice");
        var before = RecordBacklog(client, 20, payloadBytes: 1024);
        var huge = client.Record("task-huge", "create", new string('x', 20 * 1024));
        var after = RecordBacklog(client, 20, payloadBytes: 1024);

        var result = await client.SyncAsync(Ct);

        Assert.Equal([.. before, .. after], result.Accepted);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal(huge, rejection.Event);
        Assert.Equal(RejectionReasons.PayloadTooLarge, rejection.Reason);
        Assert.False(string.IsNullOrEmpty(rejection.Detail));
        Assert.Empty(client.PendingEvents());
        var history = await server.HistoryAsync();
        Assert.DoesNotContain(huge, history);
        Assert.Equal(history, client.Events());
    }

    [Fact]
    public async Task Events_recorded_while_a_sync_runs_wait_for_the_next_sync()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        // Pushes of one event each, so the sync is still running when the app records more.
        using var client = await server.NewClientAsync("alice", options: new SyncClientOptions { MaxPushEvents = 1 });
        var backlog = RecordBacklog(client, 5, payloadBytes: 100);
        var duringSync = new List<Event>();
        var recording = false;
        client.Changed += (_, _) =>
        {
            // Record raises Changed itself: the flag keeps this handler from recording from inside its own Record.
            if (recording || duringSync.Count == 3 || !client.Status().IsSyncing)
                return;
            recording = true;
            duringSync.Add(client.Record("task-late", "update", "{}"));
            recording = false;
        };

        var result = await client.SyncAsync(Ct);

        Assert.Equal(backlog, result.Accepted);
        Assert.Equal(3, duringSync.Count);
        Assert.Equal(duringSync, client.PendingEvents());
        Assert.Equal(duringSync, (await client.SyncAsync(Ct)).Accepted);
    }

    private static List<Event> RecordBacklog(SyncClient client, int count, int payloadBytes)
    {
        var events = new List<Event>(count);
        for (var i = 0; i < count; i++)
        {
            var filler = new string('x', payloadBytes - 20);
            events.Add(client.Record($"task-{i}", "create", $$"""{"n":{{i,6}},"f":"{{filler}}"}"""));
        }
        return events;
    }
}
