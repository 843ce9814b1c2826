namespace SimpleSync.Storage.Postgres;

/// <summary>A <see cref="PagedSnapshot"/> on PostgreSQL: each page one query on a pooled connection, so no transaction stays open while a client downloads.</summary>
internal sealed class PostgresSnapshot(PostgresDatabase database, long highestSeq) : PagedSnapshot(highestSeq)
{
    private const string Select = $"SELECT seq, {StoreRows.EventColumns} FROM events";

    protected override Task ReadPageAsync(PageQuery query, Page page, CancellationToken ct) => database.ReadAsync(async connection =>
    {
        await using var command = query switch
        {
            PageQuery.HistoryFrom from => PostgresDatabase.Command(connection,
                $"{Select} WHERE ts_key >= $1 AND seq <= $2 ORDER BY ts_key, uuid LIMIT $3", from.TsKey, HighestSeq, page.Rows),
            PageQuery.HistoryAfter after => PostgresDatabase.Command(connection,
                $"{Select} WHERE (ts_key, uuid) > ($1, $4) AND seq <= $2 ORDER BY ts_key, uuid LIMIT $3", after.TsKey, HighestSeq, page.Rows, after.Uuid),
            PageQuery.Since since => PostgresDatabase.Command(connection,
                $"{Select} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3", since.Cursor, HighestSeq, page.Rows),
            _ => throw new ArgumentOutOfRangeException(nameof(query)),
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (!page.Add(reader.GetInt64(0), StoreRows.ReadEvent(reader, offset: 1)))
                break;
        }
        return true;
    }, ct);
}
