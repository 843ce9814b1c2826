using SimpleSync.Client.Tests.Support;
using SimpleSync.Storage.Sqlite;

namespace SimpleSync.Client.Tests;

public sealed class EpochTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_a_restore_from_an_older_backup_every_client_repushes_its_lost_events_and_all_converge()
    {
        await using var devices = await TwoDevices.StartAsync();
        var (server, alice, bob) = (devices.Server, devices.Alice, devices.Bob);
        var beforeBackup = new[] { alice.Record("task-1", "create", """{"title":"kept by the backup"}"""), bob.Record("task-2", "create", "{}") };
        await alice.SyncAsync(Ct);
        await bob.SyncAsync(Ct);
        await alice.SyncAsync(Ct);
        var backup = Path.Combine(server.DataDirectory, "backup.db");
        SqliteBackup.Create(server.DatabasePath, backup);

        var lost = new[] { alice.Record("task-1", "update", """{"done":true}"""), bob.Record("task-3", "create", "{}") };
        await alice.SyncAsync(Ct);
        await bob.SyncAsync(Ct);
        var stillPending = alice.Record("task-4", "create", "{}");
        Assert.Equal(4, (await server.HistoryAsync()).Count);

        await server.StopAsync();
        File.Copy(backup, server.DatabasePath, overwrite: true);
        File.Delete(server.DatabasePath + "-wal");
        File.Delete(server.DatabasePath + "-shm");
        await server.StartAgainAsync();
        Assert.Equal(2, (await server.HistoryAsync()).Count);

        var aliceResult = await alice.SyncAsync(Ct);
        Assert.True(aliceResult.EpochChanged);
        Assert.Equal([beforeBackup[0]], aliceResult.Duplicates);
        Assert.Equal([lost[0], stillPending], aliceResult.Accepted);
        var bobResult = await bob.SyncAsync(Ct);
        Assert.True(bobResult.EpochChanged);
        Assert.Equal([beforeBackup[1]], bobResult.Duplicates);
        Assert.Equal([lost[1]], bobResult.Accepted);
        var again = await alice.SyncAsync(Ct);
        Assert.False(again.EpochChanged);

        var history = await server.HistoryAsync();
        Assert.Equal(5, history.Count);
        Assert.Equal(history, alice.Events());
        Assert.Equal(history, bob.Events());
        Assert.Equal(alice.Items().ToDictionary(p => p.Key, p => p.Value.ToJsonString()),
            bob.Items().ToDictionary(p => p.Key, p => p.Value.ToJsonString()));
    }
}
