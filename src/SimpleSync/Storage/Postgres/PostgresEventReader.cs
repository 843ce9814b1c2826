using Npgsql;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

internal static class PostgresEventReader
{
    /// <summary>The event columns are always selected as uuid, ts_key, user_uuid, item_uuid, action, payload.</summary>
    public const string Columns = "uuid, ts_key, user_uuid, item_uuid, action, payload";

    public static Event Read(NpgsqlDataReader reader, int offset) => new(
        reader.GetString(offset),
        TimestampKey.FromKey(reader.GetInt64(offset + 1)),
        reader.GetString(offset + 2),
        reader.GetString(offset + 3),
        reader.GetString(offset + 4),
        reader.GetString(offset + 5));
}
