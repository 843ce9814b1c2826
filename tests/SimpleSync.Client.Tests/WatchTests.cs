using SimpleSync.Client.Tests.Support;

namespace SimpleSync.Client.Tests;

public sealed class WatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_watching_client_sees_another_clients_event_live_and_resumes_after_a_server_restart()
    {
        await using var devices = await TwoDevices.StartAsync();
        var (server, alice, bob) = (devices.Server, devices.Alice, devices.Bob);
        var early = bob.Record("task-0", "create", "{}");
        await bob.SyncAsync(Ct);

        // Waits are bounded only so that a broken watch fails the test instead of hanging it; they say nothing about speed.
        var patience = TimeSpan.FromSeconds(30);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watching = alice.WatchAsync(stop.Token);
        await alice.UntilAsync(c => c.Events().Contains(early), patience, "the watch catches up");
        Assert.True(alice.Status().IsWatching);

        var live = bob.Record("task-1", "create", """{"title":"live"}""");
        await bob.SyncAsync(Ct);
        await alice.UntilAsync(c => c.Events().Contains(live), patience, "the event arrives live");

        await server.StopAsync();
        await server.StartAgainAsync();
        var afterRestart = bob.Record("task-2", "create", "{}");
        await bob.SyncAsync(Ct);
        await alice.UntilAsync(c => c.Events().Contains(afterRestart), patience, "the watch resumes after the restart");
        Assert.Equal(await server.HistoryAsync(), alice.Events());

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        Assert.False(alice.Status().IsWatching);
    }
}
