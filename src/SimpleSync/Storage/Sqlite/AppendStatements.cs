using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>The writer's prepared statements, reused for every event it appends.</summary>
internal sealed class AppendStatements : IDisposable
{
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _existing;
    private readonly SqliteParameter _uuid, _tsKey, _user, _item, _action, _payload, _existingUuid;

    public AppendStatements(SqliteConnection connection)
    {
        _insert = connection.CreateCommand();
        _insert.CommandText =
            "INSERT INTO events (uuid, ts_key, user_uuid, item_uuid, action, payload) " +
            "VALUES ($uuid, $ts, $user, $item, $action, $payload) RETURNING seq";
        _uuid = _insert.Parameters.Add("$uuid", SqliteType.Text);
        _tsKey = _insert.Parameters.Add("$ts", SqliteType.Integer);
        _user = _insert.Parameters.Add("$user", SqliteType.Text);
        _item = _insert.Parameters.Add("$item", SqliteType.Text);
        _action = _insert.Parameters.Add("$action", SqliteType.Text);
        _payload = _insert.Parameters.Add("$payload", SqliteType.Text);

        _existing = connection.CreateCommand();
        _existing.CommandText = $"SELECT seq, {StoreRows.EventColumns} FROM events WHERE uuid = $uuid COLLATE NOCASE ORDER BY seq LIMIT 1";
        _existingUuid = _existing.Parameters.Add("$uuid", SqliteType.Text);
    }

    public void Bind(SqliteTransaction tx)
    {
        _insert.Transaction = tx;
        _existing.Transaction = tx;
    }

    /// <summary>
    /// Compares the event with the stored one of the same uuid (in any case), or inserts it. The lookup comes
    /// first because an INSERT that ends in ON CONFLICT DO NOTHING still uses up an AUTOINCREMENT
    /// value, so every retried push would leave a hole in seq. Looking first is race-free: the
    /// caller holds the write lock (BEGIN IMMEDIATE) for the whole batch.
    /// </summary>
    public AppendOutcome Append(Event e)
    {
        _existingUuid.Value = e.Uuid;
        using (var reader = _existing.ExecuteReader())
        {
            if (reader.Read())
            {
                var stored = StoreRows.ReadEvent(reader, offset: 1);
                return EventIdentity.SameContent(stored, e)
                    ? new AppendOutcome(AppendStatus.Duplicate, reader.GetInt64(0))
                    : new AppendOutcome(AppendStatus.Conflict, 0);
            }
        }

        _uuid.Value = e.Uuid;
        _tsKey.Value = TimestampKey.ToKey(e.Timestamp);
        _user.Value = e.UserUuid;
        _item.Value = e.ItemUuid;
        _action.Value = e.Action;
        _payload.Value = e.Payload;
        return new AppendOutcome(AppendStatus.Accepted, (long)_insert.ExecuteScalar()!);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _existing.Dispose();
    }
}
