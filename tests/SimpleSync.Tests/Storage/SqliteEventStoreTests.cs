using Microsoft.Data.Sqlite;
using SimpleSync.Storage;
using SimpleSync.Storage.Sqlite;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>The store contract on a SQLite file, plus what only the SQLite store promises.</summary>
public sealed class SqliteEventStoreTests : EventStoreContract, IDisposable
{
    private readonly TempDir _dir = new();

    private string DatabasePath => _dir.File("simple-sync.db");

    private protected override IEventStore OpenStore(Action<IReadOnlyList<SequencedEvent>>? committed = null) =>
        SqliteEventStore.Open(DatabasePath, committed);

    private protected override Task<IAsyncDisposable> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        var tx = connection.BeginTransaction(deferred: false);
        return Task.FromResult<IAsyncDisposable>(new Held(async () =>
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }));
    }

    private sealed class Held(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }

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
    public async Task A_store_of_the_first_schema_keeps_its_events_seqs_and_seq_high_water_mark_through_the_upgrade()
    {
        var resource = typeof(SqliteEventStore).Assembly.GetManifestResourceStream("SimpleSync.Sqlite.0001_initial.sql")!;
        var schema = await new StreamReader(resource).ReadToEndAsync(Ct);
        var (first, spelledUp, later) = (TestEvents.New("user-1"), TestEvents.New("user-1"), TestEvents.New("user-1"));
        using (var old = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            old.Open();
            using var command = old.CreateCommand();
            // Version 1, as a store before the uuid rule left it: seq 8 was the last one given (7 and 8
            // were never seen by anyone but still used up), and one uuid is stored in both spellings.
            command.CommandText = $$"""
                PRAGMA journal_mode = WAL;
                {{schema}}
                PRAGMA user_version = 1;
                INSERT INTO events VALUES (3, '{{first.Uuid}}', {{TimestampKey.ToKey(first.Timestamp)}}, 'user-1', 'task-1', 'create', '{}');
                INSERT INTO events VALUES (5, '{{spelledUp.Uuid.ToUpperInvariant()}}', {{TimestampKey.ToKey(spelledUp.Timestamp)}}, 'user-1', 'task-1', 'create', '{}');
                INSERT INTO events VALUES (6, '{{spelledUp.Uuid}}', {{TimestampKey.ToKey(spelledUp.Timestamp)}}, 'user-1', 'task-1', 'create', '{}');
                UPDATE sqlite_sequence SET seq = 8 WHERE name = 'events';
                """;
            command.ExecuteNonQuery();
        }

        await using var store = OpenStore();
        var outcomes = await store.AppendAsync([first, spelledUp, later], Ct);

        Assert.Equal(
            [new AppendOutcome(AppendStatus.Duplicate, 3), new AppendOutcome(AppendStatus.Duplicate, 5), new AppendOutcome(AppendStatus.Accepted, 9)],
            outcomes);
        await using var snapshot = await store.OpenSnapshotAsync(Ct);
        var seqs = new List<long>();
        await foreach (var (seq, _) in snapshot.ReadSince(0, 100, Ct))
            seqs.Add(seq);
        Assert.Equal([3, 5, 6, 9], seqs);
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
