using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Client;

/// <summary>
/// The client's durable state in one SQLite database: the authoritative copy with its cursor and
/// epoch, the pending events, and the login. One connection, used under one lock: SQLite
/// connections are not thread-safe, and every operation here is short. Each public method is
/// one transaction, so a crash leaves either all of a change or none of it.
/// </summary>
internal sealed partial class LocalStore : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;

    public LocalStore(string? path)
    {
        if (path is not null)
            OwnerOnlyFile.Prepare(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path ?? ":memory:",
            Mode = path is null ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            // Pooling would keep the file open after Dispose; one connection lives as long as the client.
            Pooling = false,
            DefaultTimeout = 10,
        };
        _connection = new SqliteConnection(builder.ToString());
        _connection.Open();
        // FULL makes every commit durable before it returns: Record's promise rests on it.
        Execute(path is null ? "PRAGMA synchronous = FULL;" : "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
        try
        {
            LocalStoreSchema.Migrate(_connection);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
        DeviceId = ReadOrMakeDeviceId();
    }

    /// <summary>
    /// This store's <c>Sync-Device</c> id: made at random when the store is first opened, then kept
    /// in it for good, so the same store is the same device across restarts (and a copied store
    /// another copy of it), while every new store is a new device. A store in memory is new each time.
    /// </summary>
    public string DeviceId { get; }

    /// <summary>The login and the sync position, read together.</summary>
    public sealed record Meta(string? Token, string? UserUuid, string? Username, long Cursor, string? Epoch, DateTimeOffset? LastSync);

    public Meta ReadMeta()
    {
        lock (_lock)
        {
            var values = new Dictionary<string, string>();
            using var command = Command("SELECT key, value FROM meta");
            using var reader = command.ExecuteReader();
            while (reader.Read())
                values[reader.GetString(0)] = reader.GetString(1);
            return new Meta(
                values.GetValueOrDefault("token"),
                values.GetValueOrDefault("user_uuid"),
                values.GetValueOrDefault("username"),
                values.TryGetValue("cursor", out var cursor) ? long.Parse(cursor) : 0,
                values.GetValueOrDefault("epoch"),
                values.TryGetValue("last_sync", out var last) ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(last)) : null);
        }
    }

    public void SaveLogin(string token, string userUuid, string username)
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            SetMeta("token", token);
            SetMeta("user_uuid", userUuid);
            SetMeta("username", username);
            tx.Commit();
        }
    }

    public void ForgetToken()
    {
        lock (_lock)
        {
            using var command = Command("DELETE FROM meta WHERE key = 'token'");
            command.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _connection.Dispose();
    }

    /// <summary>
    /// In one transaction, so that two processes opening a new store at once agree on one id. A
    /// value that is not a device id (written by something else) is replaced: it would be ignored
    /// by the server, or break every request.
    /// </summary>
    private string ReadOrMakeDeviceId()
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            using var read = Command("SELECT value FROM meta WHERE key = 'device_id'");
            if (read.ExecuteScalar() is string id && ClientIdentity.IsDeviceId(id))
                return id;
            id = ClientIdentity.NewDeviceId();
            SetMeta("device_id", id);
            tx.Commit();
            return id;
        }
    }

    private (long Cursor, string? Epoch) ReadCursorAndEpoch()
    {
        using var command = Command("SELECT (SELECT value FROM meta WHERE key = 'cursor'), (SELECT value FROM meta WHERE key = 'epoch')");
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.IsDBNull(0) ? 0 : long.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private void SetMeta(string key, string value)
    {
        using var command = Command("INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, Event e)
    {
        command.Parameters.AddWithValue("$uuid", e.Uuid);
        command.Parameters.AddWithValue("$ts_key", TimestampKey.ToKey(e.Timestamp));
        command.Parameters.AddWithValue("$user", e.UserUuid);
        command.Parameters.AddWithValue("$item", e.ItemUuid);
        command.Parameters.AddWithValue("$action", e.Action);
        command.Parameters.AddWithValue("$payload", e.Payload);
    }

    private static List<Event> ReadEvents(SqliteCommand command)
    {
        var events = new List<Event>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            events.Add(ReadEvent(reader));
        return events;
    }

    /// <summary>One row of <c>SELECT uuid, ts_key, user_uuid, item_uuid, action, payload</c>.</summary>
    private static Event ReadEvent(SqliteDataReader reader) =>
        new(reader.GetString(0), TimestampKey.FromKey(reader.GetInt64(1)), reader.GetString(2),
            reader.GetString(3), reader.GetString(4), reader.GetString(5));

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }
}
