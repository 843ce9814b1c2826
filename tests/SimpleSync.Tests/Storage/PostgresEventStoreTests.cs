using Npgsql;
using SimpleSync.Storage;
using SimpleSync.Storage.Postgres;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>The store contract on a real PostgreSQL database, plus what only the PostgreSQL store promises.</summary>
public sealed class PostgresEventStoreTests : EventStoreContract, IDisposable
{
    private readonly TestPostgres _database = new();

    private protected override IEventStore OpenStore(Action<IReadOnlyList<SequencedEvent>>? committed = null) =>
        PostgresEventStore.OpenAsync(_database.ConnectionString, committed, Ct).GetAwaiter().GetResult();

    private protected override async Task<IAsyncDisposable> HoldWriteLockAsync()
    {
        var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync(Ct);
        await connection.BeginTransactionAsync(Ct);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({PostgresSchema.AppendLock})");
        // Closing the connection rolls the transaction back and frees the lock.
        return connection;
    }

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
    public async Task Only_other_servers_commits_are_announced_this_servers_own_reach_the_feed_from_its_writer()
    {
        await using var server = OpenStore();
        await using var other = OpenStore();
        await server.AppendAsync([TestEvents.New("user-1")], Ct);
        // The first wait connects the listener, which announces "anything may be new".
        Assert.Equal(long.MaxValue, await server.OtherWritersCommittedAsync(Ct));

        // Waiting already when this server commits: its own commit, were it announced, would wake the wait first.
        var waiting = server.OtherWritersCommittedAsync(Ct);
        var own = Assert.Single(await server.AppendAsync([TestEvents.New("user-1")], Ct)).Seq;
        var others = Assert.Single(await other.AppendAsync([TestEvents.New("user-1")], Ct)).Seq;

        Assert.Equal(others, await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.True(own < others);
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
    public async Task After_every_connection_is_cut_as_by_a_restart_the_next_append_and_read_succeed()
    {
        await using var store = OpenStore();
        var first = Assert.Single(await store.AppendAsync([TestEvents.New("user-1")], Ct));
        await using (var warm = await store.OpenSnapshotAsync(Ct))
            Assert.Equal(first.Seq, warm.HighestSeq);

        // What a restart of PostgreSQL does to the writer's and the pool's connections.
        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await Execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        }

        var next = Assert.Single(await store.AppendAsync([TestEvents.New("user-1")], Ct));
        Assert.Equal(new AppendOutcome(AppendStatus.Accepted, first.Seq + 1), next);
        await using var after = await store.OpenSnapshotAsync(Ct);
        Assert.Equal(next.Seq, after.HighestSeq);
        Assert.Equal(0, await store.CountUsersAsync(Ct));
    }

    [Fact]
    public async Task An_exhausted_connection_pool_is_unavailable_not_a_crash()
    {
        // One connection in all, which the writer keeps once it has appended: every read must wait for it.
        var tiny = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { MaxPoolSize = 1, Timeout = 1 }.ConnectionString;
        await using var store = await PostgresEventStore.OpenAsync(tiny, null, Ct);
        await store.AppendAsync([TestEvents.New("user-1")], Ct);

        var error = await Assert.ThrowsAsync<SimpleSync.Errors.ApiException>(() => store.OpenSnapshotAsync(Ct));

        Assert.Equal(SimpleSync.Protocol.ErrorCodes.Unavailable, error.Code);
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
