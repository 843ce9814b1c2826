using Microsoft.Data.Sqlite;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// A <see cref="PagedSnapshot"/> on SQLite: each page in its own short read on a fresh pooled
/// connection, so no read transaction pins the WAL while a client downloads.
/// </summary>
internal sealed class SqliteSnapshot(SqliteDatabase database, long highestSeq) : PagedSnapshot(highestSeq)
{
    protected override Task ReadPageAsync(PageQuery query, Page page, CancellationToken ct)
    {
        using var connection = database.Open();
        try
        {
            using var command = connection.CreateCommand();
            var select = $"SELECT seq, {StoreRows.EventColumns} FROM events";
            switch (query)
            {
                case PageQuery.HistoryFrom from:
                    command.CommandText = $"{select} WHERE ts_key >= $ts AND seq <= $head ORDER BY ts_key, uuid LIMIT $limit";
                    command.Parameters.AddWithValue("$ts", from.TsKey);
                    break;
                case PageQuery.HistoryAfter after:
                    command.CommandText = $"{select} WHERE (ts_key, uuid) > ($ts, $uuid) AND seq <= $head ORDER BY ts_key, uuid LIMIT $limit";
                    command.Parameters.AddWithValue("$ts", after.TsKey);
                    command.Parameters.AddWithValue("$uuid", after.Uuid);
                    break;
                case PageQuery.Since since:
                    command.CommandText = $"{select} WHERE seq > $cursor AND seq <= $head ORDER BY seq LIMIT $limit";
                    command.Parameters.AddWithValue("$cursor", since.Cursor);
                    break;
            }
            command.Parameters.AddWithValue("$head", HighestSeq);
            command.Parameters.AddWithValue("$limit", page.Rows);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!page.Add(reader.GetInt64(0), StoreRows.ReadEvent(reader, offset: 1)))
                    break;
            }
            return Task.CompletedTask;
        }
        catch (SqliteException ex)
        {
            throw SqliteDatabase.Translate(ex);
        }
    }
}
