using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The history as of one moment, read in pages of short transactions. One read transaction for
/// a whole answer would pin the WAL for as long as the slowest client takes to download it:
/// no checkpoint could reset the log meanwhile, and every push would grow it. The snapshot is
/// instead everything with seq ≤ the highest seq when it was opened. That set never changes
/// afterwards — events are never edited or deleted, and the one writer gives seqs in commit
/// order, so nothing committed later has a lower seq — so reading it page by page (by keyset, on
/// a fresh pooled connection each time) gives exactly what one transaction would have. A page
/// ends at <see cref="PageEvents"/> events or after <see cref="PageBytes"/> of payload, and is
/// read whole before it is handed out, so no transaction waits on the network.
/// </summary>
internal sealed class SqliteSnapshot(SqliteDatabase database, long highestSeq) : IHistorySnapshot
{
    private const int PageEvents = 1_000;
    private const int PageBytes = 1024 * 1024;

    public long HighestSeq { get; } = highestSeq;

    public async IAsyncEnumerable<Event> ReadHistory(ulong fromTimestamp, [EnumeratorCancellation] CancellationToken ct)
    {
        if (HighestSeq == 0)
            yield break;
        (long TsKey, string Uuid)? after = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = ReadPage(command =>
            {
                command.CommandText = after is null
                    ? $"SELECT seq, {SqliteEventReader.Columns} FROM events WHERE ts_key >= $from AND seq <= $head ORDER BY ts_key, uuid LIMIT $limit"
                    : $"SELECT seq, {SqliteEventReader.Columns} FROM events WHERE (ts_key, uuid) > ($ts, $uuid) AND seq <= $head ORDER BY ts_key, uuid LIMIT $limit";
                command.Parameters.AddWithValue("$from", TimestampKey.ToKey(fromTimestamp));
                command.Parameters.AddWithValue("$ts", after?.TsKey ?? 0);
                command.Parameters.AddWithValue("$uuid", after?.Uuid ?? "");
            }, PageEvents);
            foreach (var (_, e) in page.Events)
                yield return e;
            if (!page.More)
                yield break;
            var last = page.Events[^1].Event;
            after = (TimestampKey.ToKey(last.Timestamp), last.Uuid);
            await Task.Yield();
        }
    }

    public async IAsyncEnumerable<SequencedEvent> ReadSince(long cursor, int limit, [EnumeratorCancellation] CancellationToken ct)
    {
        // Nothing past the head: the common answer of an up-to-date client and of a quiet stream's
        // heartbeat, given without a second query.
        var left = cursor < HighestSeq ? limit : 0;
        while (left > 0)
        {
            ct.ThrowIfCancellationRequested();
            var page = ReadPage(command =>
            {
                command.CommandText = $"SELECT seq, {SqliteEventReader.Columns} FROM events WHERE seq > $cursor AND seq <= $head ORDER BY seq LIMIT $limit";
                command.Parameters.AddWithValue("$cursor", cursor);
            }, Math.Min(left, PageEvents));
            foreach (var item in page.Events)
                yield return item;
            if (!page.More || page.Events.Count == 0)
                yield break;
            cursor = page.Events[^1].Seq;
            left -= page.Events.Count;
            await Task.Yield();
        }
    }

    /// <summary>Reads one page in its own short transaction. More is true when the page may not be the last.</summary>
    private (List<SequencedEvent> Events, bool More) ReadPage(Action<SqliteCommand> prepare, int rows)
    {
        using var connection = database.Open();
        try
        {
            using var command = connection.CreateCommand();
            prepare(command);
            command.Parameters.AddWithValue("$head", HighestSeq);
            command.Parameters.AddWithValue("$limit", rows);
            using var reader = command.ExecuteReader();
            var events = new List<SequencedEvent>();
            long bytes = 0;
            while (reader.Read())
            {
                var e = SqliteEventReader.Read(reader, offset: 1);
                events.Add(new SequencedEvent(reader.GetInt64(0), e));
                bytes += e.Payload.Length;
                if (bytes >= PageBytes)
                    return (events, true);
            }
            return (events, events.Count == rows);
        }
        catch (SqliteException ex)
        {
            throw SqliteDatabase.Translate(ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
