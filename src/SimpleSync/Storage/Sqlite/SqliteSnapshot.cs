namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// A <see cref="PagedSnapshot"/> on SQLite: each page in its own short read, on a connection of
/// <see cref="PreparedReads"/>, so no read transaction pins the WAL while a client downloads.
/// Events past a cursor come from <see cref="RecentEvents"/> as far as it holds them.
/// </summary>
internal sealed class SqliteSnapshot(PreparedReads reads, RecentEvents recent, long highestSeq) : PagedSnapshot(highestSeq)
{
    private const string Select = $"SELECT seq, {StoreRows.EventColumns} FROM events";
    private const string HistoryFrom = $"{Select} WHERE ts_key >= $ts AND seq <= $head ORDER BY ts_key, uuid LIMIT $limit";
    private const string HistoryAfter = $"{Select} WHERE (ts_key, uuid) > ($ts, $uuid) AND seq <= $head ORDER BY ts_key, uuid LIMIT $limit";
    private const string Since = $"{Select} WHERE seq > $cursor AND seq <= $head ORDER BY seq LIMIT $limit";

    protected override Task ReadPageAsync(PageQuery query, Page page, CancellationToken ct)
    {
        if (query is PageQuery.Since since && recent.TryFill(since.Cursor, HighestSeq, page, out var through))
        {
            if (page.More || through >= HighestSeq)
                return Task.CompletedTask;
            query = new PageQuery.Since(through);
        }
        var sql = query switch
        {
            PageQuery.HistoryFrom => HistoryFrom,
            PageQuery.HistoryAfter => HistoryAfter,
            PageQuery.Since => Since,
            _ => throw new ArgumentOutOfRangeException(nameof(query)),
        };
        reads.Run(sql, command =>
        {
            switch (query)
            {
                case PageQuery.HistoryFrom from:
                    PreparedReads.Bind(command, "$ts", from.TsKey);
                    break;
                case PageQuery.HistoryAfter after:
                    PreparedReads.Bind(command, "$ts", after.TsKey);
                    PreparedReads.Bind(command, "$uuid", after.Uuid);
                    break;
                case PageQuery.Since since:
                    PreparedReads.Bind(command, "$cursor", since.Cursor);
                    break;
            }
            PreparedReads.Bind(command, "$head", HighestSeq);
            PreparedReads.Bind(command, "$limit", page.Rows - page.Events.Count);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!page.Add(reader.GetInt64(0), StoreRows.ReadEvent(reader, offset: 1)))
                    break;
            }
            return 0;
        });
        return Task.CompletedTask;
    }
}
