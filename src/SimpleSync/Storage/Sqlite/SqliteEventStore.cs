using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Appends go through <see cref="GroupCommit"/>
/// and one <see cref="SqliteWriter"/>; reads use their own pooled connections and never block it.
/// Its tasks complete synchronously: Microsoft.Data.Sqlite does its I/O on the calling thread
/// (a local file, in microseconds), and appends wait on the writer's own thread, not here.
/// A server keeps the reads on every request's path — a token's user, the ACL version, the head —
/// in memory against <see cref="ChangeCounters"/>, which every writer moves after its commit.
/// </summary>
internal sealed partial class SqliteEventStore : IEventStore
{
    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;
    private readonly GroupCommit _appends;
    private readonly PreparedReads _reads;
    private readonly ChangeCounters _changes;
    private readonly KeptValue<long> _head = new();
    private readonly KeptValue<long> _aclVersion = new();
    private readonly KeptUsers _users = new(KeptUsersCapacity);
    private readonly RecentEvents _recent = new(maxEvents: 8192, maxPayloadBytes: 8 * 1024 * 1024);

    /// <summary>Users kept in memory at most (a few hundred bytes each); more are read each time.</summary>
    private const int KeptUsersCapacity = 10_000;

    private SqliteEventStore(SqliteDatabase database, string epoch, Action<IReadOnlyList<SequencedEvent>>? committed, ChangeCounters changes)
    {
        _database = database;
        Epoch = epoch;
        _changes = changes;
        _writer = new SqliteWriter(database, changes, _head, _recent);
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
    /// <param name="keepReads">
    /// True for a server: the hot reads are kept in memory against the file's change counters.
    /// False for a short-lived command: it reads every time and only announces its changes.
    /// </param>
    /// <param name="changeFileCheck">How often a server checks that its change file is still the one at its path (1 s).</param>
    public static SqliteEventStore Open(string path, Action<IReadOnlyList<SequencedEvent>>? committed = null, bool keepReads = true,
        TimeSpan? changeFileCheck = null)
    {
        var database = new SqliteDatabase(path);
        database.Initialise();
        var changes = keepReads
            ? ChangeCounters.Mapped(database.Path, changeFileCheck ?? TimeSpan.FromSeconds(1))
            : ChangeCounters.Announcing(database.Path);
        try
        {
            using var connection = database.OpenForWrite();
            return new SqliteEventStore(database, EnsureEpoch(connection), committed, changes);
        }
        catch
        {
            changes.Dispose();
            throw;
        }
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
        var head = Kept(_head, _changes.History,
            () => _reads.Run("SELECT coalesce(max(seq), 0) FROM events", command => (long)command.ExecuteScalar()!));
        return Task.FromResult<IHistorySnapshot>(new SqliteSnapshot(_reads, _recent, head));
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
        _changes.Dispose();
        _database.ClearPool();
    }

    /// <summary>
    /// <paramref name="read"/>'s value, or the one kept under <paramref name="count"/> — a counter
    /// read by the caller before this call, so before any read made here.
    /// </summary>
    private T Kept<T>(KeptValue<T> kept, long count, Func<T> read) => _changes.KeepsReads ? kept.Get(count, read) : read();

    /// <summary>Runs a write of users, admins or the ACL, then announces it to every process that keeps reads.</summary>
    private T AccessWrite<T>(Func<T> write)
    {
        var result = write();
        _changes.AccessChanged();
        return result;
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
