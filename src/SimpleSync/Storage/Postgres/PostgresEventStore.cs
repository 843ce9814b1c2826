using Npgsql;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

/// <summary>
/// The scale-out store: one PostgreSQL database shared by any number of server processes.
/// Appends go through <see cref="GroupCommit"/> and one <see cref="PostgresWriter"/> per process
/// (the append lock orders them across processes); reads use pooled connections; other servers'
/// commits are announced by <see cref="PostgresListener"/>.
/// </summary>
internal sealed partial class PostgresEventStore : IEventStore
{
    private readonly PostgresDatabase _database;
    private readonly PostgresWriter _writer;
    private readonly GroupCommit _appends;
    private readonly PostgresListener _listener;

    private PostgresEventStore(PostgresDatabase database, string epoch, Action<IReadOnlyList<SequencedEvent>>? committed)
    {
        _database = database;
        Epoch = epoch;
        _writer = new PostgresWriter(database);
        _appends = new GroupCommit(_writer.CommitAsync, committed);
        _listener = new PostgresListener(database, () => _writer.BackendPid);
    }

    public string Provider => "postgres";

    public string Location => _database.Location;

    public string Epoch { get; }

    /// <summary>Commits of other servers are announced by NOTIFY; the poll only covers a listening connection that is down.</summary>
    public TimeSpan OtherWritersPoll => TimeSpan.FromSeconds(10);

    /// <summary>Connects to the database and brings its schema up to date (waiting for another server doing so).</summary>
    /// <param name="committed">Told of every commit's accepted events, in seq order, after the commit.</param>
    public static async Task<PostgresEventStore> OpenAsync(string connectionString, Action<IReadOnlyList<SequencedEvent>>? committed,
        CancellationToken ct)
    {
        var database = new PostgresDatabase(connectionString);
        try
        {
            var epoch = await database.RunAsync(async connection =>
            {
                await PostgresSchema.ApplyMigrationsAsync(connection, ct);
                return await PostgresSchema.EnsureEpochAsync(connection, ct);
            }, ct);
            return new PostgresEventStore(database, epoch, committed);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public Task<AppendOutcome[]> AppendAsync(IReadOnlyList<Event> events, CancellationToken ct) =>
        _appends.AppendAsync(events, ct);

    public Task<IReadOnlyList<Event>> FindEventsAsync(IReadOnlyList<string> uuids, CancellationToken ct)
    {
        if (uuids.Count == 0)
            return Task.FromResult<IReadOnlyList<Event>>([]);
        var wanted = uuids.Distinct(EventIdentity.Uuids).ToList();
        return _database.ReadAsync<IReadOnlyList<Event>>(async connection =>
        {
            await using var command = PostgresDatabase.Command(connection,
                $"SELECT {StoreRows.EventColumns} FROM events WHERE lower(uuid) = ANY($1) ORDER BY seq",
                (object)wanted.Select(u => u.ToLowerInvariant()).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            var found = new Dictionary<string, Event>(EventIdentity.Uuids);
            while (await reader.ReadAsync(ct))
            {
                var e = StoreRows.ReadEvent(reader, offset: 0);
                found.TryAdd(e.Uuid, e);
            }
            // In the order asked for, as the other store answers.
            return [.. wanted.Where(found.ContainsKey).Select(u => found[u])];
        }, ct);
    }

    public async Task<IHistorySnapshot> OpenSnapshotAsync(CancellationToken ct)
    {
        var head = await _database.ReadAsync(async connection =>
        {
            await using var command = PostgresDatabase.Command(connection, "SELECT coalesce(max(seq), 0) FROM events");
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }, ct);
        return new PostgresSnapshot(_database, head);
    }

    public Task<long> OtherWritersCommittedAsync(CancellationToken ct) => _listener.WaitAsync(ct);

    public async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        try
        {
            return await _database.ReadAsync(async connection =>
            {
                await using var command = PostgresDatabase.Command(connection, "SELECT count(*) FROM meta");
                await command.ExecuteScalarAsync(ct);
                return true;
            }, ct);
        }
        catch (Errors.ApiException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _appends.DisposeAsync();
        await _writer.DisposeAsync();
        await _database.DisposeAsync();
    }

    private Task<T> Run<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) => _database.RunAsync(work, ct);

    private Task<T> Read<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) => _database.ReadAsync(work, ct);
}
