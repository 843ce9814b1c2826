using Npgsql;
using SimpleSync.Storage;
using SimpleSync.Storage.Postgres;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>The store contract on a real PostgreSQL database, plus what only the PostgreSQL store promises.</summary>
public sealed class PostgresEventStoreTests : EventStoreContract, IDisposable
{
    private readonly TestPostgres _database = new();

    private protected override IEventStore OpenStore() =>
        PostgresEventStore.OpenAsync(_database.ConnectionString, null, Ct).GetAwaiter().GetResult();

    private protected override bool AnnouncesOtherWriters => true;

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_writer_stalled_inside_its_transaction_holds_back_every_other_writer_so_no_reader_ever_skips_its_seq()
    {
        await using var store = OpenStore();
        var first = Assert.Single(await store.AppendAsync([TestEvents.New("user-1")], Ct)).Seq;

        // Another server's writer, stopped between giving its seq and committing: it holds the
        // append lock, as PostgresWriter does, and has inserted first + 1.
        await using var stalled = new NpgsqlConnection(_database.ConnectionString);
        await stalled.OpenAsync(Ct);
        var stalledTx = await stalled.BeginTransactionAsync(Ct);
        await Execute(stalled, $"SELECT pg_advisory_xact_lock({PostgresSchema.AppendLock})");
        var stalledEvent = TestEvents.New("user-1");
        await Execute(stalled,
            $"INSERT INTO events VALUES ({first + 1}, '{stalledEvent.Uuid}', {TimestampKey.ToKey(stalledEvent.Timestamp)}, 'user-1', 'task-1', 'create', '{{}}')");

        var waiting = store.AppendAsync([TestEvents.New("user-1")], Ct);
        await WaitUntilBlockedOnTheAppendLockAsync();

        // Meanwhile a reader sees neither: not the uncommitted one, and nothing above it.
        await using (var during = await store.OpenSnapshotAsync(Ct))
            Assert.Equal(first, during.HighestSeq);
        Assert.False(waiting.IsCompleted, "a second writer committed while the first held its seq uncommitted");

        await stalledTx.CommitAsync(Ct);
        var later = Assert.Single(await waiting);

        Assert.Equal(first + 2, later.Seq);
        await using var after = await store.OpenSnapshotAsync(Ct);
        var seqs = new List<long>();
        await foreach (var item in after.ReadSince(first, 10, Ct))
            seqs.Add(item.Seq);
        Assert.Equal([first + 1, first + 2], seqs);
    }

    [Fact]
    public async Task A_copy_restored_into_another_database_gets_a_new_epoch_and_keeps_its_history()
    {
        string epoch;
        await using (var original = OpenStore())
        {
            epoch = original.Epoch;
            await original.AppendAsync([TestEvents.New("user-1")], Ct);
        }
        using var copy = new TestPostgres();
        await CopyDatabaseAsync(_database.ConnectionString, copy.ConnectionString);

        await using var restored = await PostgresEventStore.OpenAsync(copy.ConnectionString, null, Ct);

        Assert.NotEqual(epoch, restored.Epoch);
        await using var snapshot = await restored.OpenSnapshotAsync(Ct);
        Assert.Equal(1, snapshot.HighestSeq);
        await using var reopened = OpenStore();
        Assert.Equal(epoch, reopened.Epoch);
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable_not_a_crash()
    {
        var nowhere = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;

        var error = await Assert.ThrowsAsync<SimpleSync.Errors.ApiException>(() => PostgresEventStore.OpenAsync(nowhere, null, Ct));

        Assert.Equal(SimpleSync.Protocol.ErrorCodes.Unavailable, error.Code);
    }

    [Fact]
    public async Task A_push_after_the_database_ended_every_connection_is_stored_not_refused()
    {
        await using var store = OpenStore();
        await store.AppendAsync([TestEvents.New("user-1")], Ct);

        // What a restart or a failover of PostgreSQL does to every server's open connections,
        // the one the writer keeps between pushes included.
        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await Execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        }

        var outcome = Assert.Single(await store.AppendAsync([TestEvents.New("user-1")], Ct));
        Assert.Equal(AppendStatus.Accepted, outcome.Status);
        Assert.Equal(2, outcome.Seq);
    }

    /// <summary>Waits, on the database's own word, until a session waits for the append lock.</summary>
    private async Task WaitUntilBlockedOnTheAppendLockAsync()
    {
        await using var watcher = new NpgsqlConnection(_database.ConnectionString);
        await watcher.OpenAsync(Ct);
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                watcher);
            if ((long)(await command.ExecuteScalarAsync(Ct))! > 0)
                return;
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>What pg_dump | pg_restore does for our tables: the same rows in another database.</summary>
    private async Task CopyDatabaseAsync(string from, string to)
    {
        await using (var target = await PostgresEventStore.OpenAsync(to, null, Ct))
        {
            // The schema now exists in the target; its epoch rows are replaced by the source's below.
        }
        await using var source = new NpgsqlConnection(from);
        await source.OpenAsync(Ct);
        await using var destination = new NpgsqlConnection(to);
        await destination.OpenAsync(Ct);
        await Execute(destination, "DELETE FROM meta");
        foreach (var table in new[] { "meta", "events" })
        {
            using var buffer = new MemoryStream();
            await using (var reader = await source.BeginRawBinaryCopyAsync($"COPY {table} TO STDOUT (FORMAT BINARY)", Ct))
                await reader.CopyToAsync(buffer, Ct);
            buffer.Position = 0;
            await using var writer = await destination.BeginRawBinaryCopyAsync($"COPY {table} FROM STDIN (FORMAT BINARY)", Ct);
            await buffer.CopyToAsync(writer, Ct);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
