using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Appends go through <see cref="GroupCommit"/>
/// and one <see cref="SqliteWriter"/>; reads use their own pooled connections and never block it.
/// Its tasks complete synchronously: Microsoft.Data.Sqlite does its I/O on the calling thread
/// (a local file, in microseconds), and appends wait on the writer's own thread, not here.
/// </summary>
internal sealed partial class SqliteEventStore : IEventStore
{
    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;
    private readonly GroupCommit _appends;
    private readonly PreparedReads _reads;

    private SqliteEventStore(SqliteDatabase database, string epoch, Action<IReadOnlyList<SequencedEvent>>? committed)
    {
        _database = database;
        Epoch = epoch;
        _writer = new SqliteWriter(database);
        _reads = new PreparedReads(database);
        _appends = new GroupCommit(_writer.CommitAsync, committed);
    }

    public string Provider => "sqlite";

    public string Location => _database.Path;

    public string Epoch { get; }

    /// <summary>SQLite cannot tell one process of another's commit (the CLI's import): the live feed polls.</summary>
    public TimeSpan OtherWritersPoll => TimeSpan.FromSeconds(1);

    public async Task<long> OtherWritersCommittedAsync(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        return 0;
    }

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and brings its schema up to date.</summary>
    /// <param name="committed">Told of every commit's accepted events, in seq order, after the commit.</param>
    public static SqliteEventStore Open(string path, Action<IReadOnlyList<SequencedEvent>>? committed = null)
    {
        var database = new SqliteDatabase(path);
        database.Initialise();
        using var connection = database.OpenForWrite();
        return new SqliteEventStore(database, EnsureEpoch(connection), committed);
    }

    /// <summary>Writes a new random epoch: a copy of a store is a different store for clients' cursors.</summary>
    public static string ResetEpoch(SqliteConnection connection)
    {
        var epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO meta (key, value) VALUES ('epoch', $epoch) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$epoch", epoch);
        command.ExecuteNonQuery();
        return epoch;
    }

    private static string EnsureEpoch(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'epoch'";
        return command.ExecuteScalar() as string ?? ResetEpoch(connection);
    }

    public Task<AppendOutcome[]> AppendAsync(IReadOnlyList<Event> events, CancellationToken ct) =>
        _appends.AppendAsync(events, ct);

    public Task<IReadOnlyList<Event>> FindEventsAsync(IReadOnlyList<string> uuids, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Event>>(WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {StoreRows.EventColumns} FROM events WHERE uuid = $uuid COLLATE NOCASE ORDER BY seq LIMIT 1";
            var uuid = command.Parameters.Add("$uuid", SqliteType.Text);
            var found = new List<Event>();
            foreach (var value in uuids.Distinct(EventIdentity.Uuids))
            {
                uuid.Value = value;
                using var reader = command.ExecuteReader();
                if (reader.Read())
                    found.Add(StoreRows.ReadEvent(reader, offset: 0));
            }
            return found;
        }));

    public Task<IHistorySnapshot> OpenSnapshotAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var head = _reads.Run("SELECT coalesce(max(seq), 0) FROM events", command => (long)command.ExecuteScalar()!);
        return Task.FromResult<IHistorySnapshot>(new SqliteSnapshot(_reads, head));
    }

    public Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        try
        {
            using var connection = _database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM meta";
            command.ExecuteScalar();
            return Task.FromResult(true);
        }
        catch (Exception ex) when (ex is SqliteException or Errors.ApiException)
        {
            return Task.FromResult(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _appends.DisposeAsync();
        _writer.Dispose();
        _reads.Dispose();
        _database.ClearPool();
    }

    private T WithConnection<T>(Func<SqliteConnection, T> work, bool write = false)
    {
        using var connection = write ? _database.OpenForWrite() : _database.Open();
        try
        {
            return work(connection);
        }
        catch (SqliteException ex)
        {
            throw SqliteDatabase.Translate(ex);
        }
    }
}
