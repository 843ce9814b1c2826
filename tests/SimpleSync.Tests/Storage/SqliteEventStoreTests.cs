using Microsoft.Data.Sqlite;
using SimpleSync.Storage;
using SimpleSync.Storage.Sqlite;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>The store contract on a SQLite file, plus what only the SQLite store promises.</summary>
public sealed class SqliteEventStoreTests : EventStoreContract, IDisposable
{
    private readonly TempDir _dir = new();

    private string DatabasePath => _dir.File("simple-sync.db");

    private protected override IEventStore OpenStore() => SqliteEventStore.Open(DatabasePath);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Duplicates_and_conflicts_use_up_no_seq_number()
    {
        await using var store = OpenStore();
        var a = TestEvents.New("user-1");
        var b = TestEvents.New("user-1");

        await store.AppendAsync([a, a], Ct);
        await store.AppendAsync([a, a with { Payload = "other" }], Ct);
        var outcome = Assert.Single(await store.AppendAsync([b], Ct));

        Assert.Equal(new AppendOutcome(AppendStatus.Accepted, 2), outcome);
    }

    [Fact]
    public async Task Appends_that_wait_together_are_committed_in_one_transaction()
    {
        const int appends = 40;
        await using var store = OpenStore();
        var before = WalFile.Read(DatabasePath);
        Task<AppendOutcome[]>[] pending;
        using (var blocker = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            blocker.Open();
            // Another writer holds the write lock, so the store's writer cannot commit yet.
            using var tx = blocker.BeginTransaction(deferred: false);
            pending = Enumerable.Range(0, appends).Select(_ => store.AppendAsync([TestEvents.New("user-1")], Ct)).ToArray();
            Assert.All(pending, p => Assert.False(p.IsCompleted));
            tx.Rollback();
        }

        var outcomes = await Task.WhenAll(pending);

        Assert.All(outcomes, o => Assert.Equal(AppendStatus.Accepted, Assert.Single(o).Status));
        var after = WalFile.Read(DatabasePath);
        Assert.Equal(before.Salts, after.Salts);
        // Each AppendAsync has queued its request by the time it returns. The writer may have
        // taken the first before the others arrived and be waiting for the lock with it; every
        // other request waited and goes into the next commit.
        Assert.InRange(after.Commits - before.Commits, 1, 2);
    }

    [Fact]
    public async Task A_new_store_file_gets_an_epoch_of_its_own()
    {
        await using var first = OpenStore();
        await using var second = SqliteEventStore.Open(_dir.File("other.db"));

        Assert.NotEqual(first.Epoch, second.Epoch);
    }

    [Fact]
    public async Task Disposing_the_store_closes_the_file_so_the_log_is_folded_into_it()
    {
        await using (var store = OpenStore())
        {
            await store.AppendAsync([TestEvents.New("user-1")], Ct);
            await using (await store.OpenSnapshotAsync(Ct))
            {
            }
            Assert.True(File.Exists(DatabasePath + "-wal"));
        }

        // SQLite checkpoints and deletes the log when the last connection to the file closes.
        Assert.False(File.Exists(DatabasePath + "-wal"));
    }

    [Fact]
    public async Task The_database_is_in_WAL_mode()
    {
        await using var store = OpenStore();

        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_than_this_server_knows_is_not_opened_or_changed()
    {
        await using (OpenStore())
        {
        }
        Scalar("PRAGMA user_version = 999");

        Assert.Throws<InvalidOperationException>(() => SqliteEventStore.Open(DatabasePath));

        Assert.Equal(999L, Scalar("PRAGMA user_version"));
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
