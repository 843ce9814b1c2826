using System.Runtime.CompilerServices;
using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// The history as of one moment, read in pages of short queries. One read transaction for a
/// whole answer would hold the database for as long as the slowest client takes to download it
/// (SQLite could not reset its WAL meanwhile; PostgreSQL could not vacuum). The snapshot is
/// instead everything with seq ≤ the highest seq when it was opened. That set never changes
/// afterwards — events are never edited or deleted, and seqs are given in commit order (the
/// no-gap rule of <see cref="IHistoryStore"/>) — so reading it page by page, by keyset, gives
/// exactly what one transaction would have. A page ends at <see cref="PageEvents"/> events or
/// after <see cref="PageBytes"/> of payload, and is read whole before it is handed out, so no
/// query waits on the network.
/// </summary>
internal abstract class PagedSnapshot(long highestSeq) : IHistorySnapshot
{
    private const int PageEvents = 1_000;
    private const int PageBytes = 1024 * 1024;

    public long HighestSeq { get; } = highestSeq;

    /// <summary>Reads one page: rows with seq ≤ <see cref="HighestSeq"/> that <paramref name="query"/> selects, in its order, added to <paramref name="page"/> until it is full.</summary>
    protected abstract Task ReadPageAsync(PageQuery query, Page page, CancellationToken ct);

    public async IAsyncEnumerable<Event> ReadHistory(ulong fromTimestamp, [EnumeratorCancellation] CancellationToken ct)
    {
        if (HighestSeq == 0)
            yield break;
        PageQuery query = new PageQuery.HistoryFrom(TimestampKey.ToKey(fromTimestamp));
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = new Page(PageEvents);
            await ReadPageAsync(query, page, ct);
            foreach (var (_, e) in page.Events)
                yield return e;
            if (!page.More)
                yield break;
            var last = page.Events[^1].Event;
            query = new PageQuery.HistoryAfter(TimestampKey.ToKey(last.Timestamp), last.Uuid);
        }
    }

    public async IAsyncEnumerable<SequencedEvent> ReadSince(long cursor, int limit, [EnumeratorCancellation] CancellationToken ct)
    {
        // Nothing past the head: the common answer of an up-to-date client, given without a query.
        var left = cursor < HighestSeq ? limit : 0;
        while (left > 0)
        {
            ct.ThrowIfCancellationRequested();
            var page = new Page(Math.Min(left, PageEvents));
            await ReadPageAsync(new PageQuery.Since(cursor), page, ct);
            foreach (var item in page.Events)
                yield return item;
            if (!page.More || page.Events.Count == 0)
                yield break;
            cursor = page.Events[^1].Seq;
            left -= page.Events.Count;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>What one page selects.</summary>
    protected internal abstract record PageQuery
    {
        /// <summary>History order (ts_key, uuid) from a timestamp key on.</summary>
        public sealed record HistoryFrom(long TsKey) : PageQuery;

        /// <summary>History order after the (ts_key, uuid) of the previous page's last event.</summary>
        public sealed record HistoryAfter(long TsKey, string Uuid) : PageQuery;

        /// <summary>Seq order after a cursor.</summary>
        public sealed record Since(long Cursor) : PageQuery;
    }

    /// <summary>One page being read: full at its row count or its byte budget.</summary>
    protected internal sealed class Page(int rows)
    {
        private long _bytes;

        public int Rows { get; } = rows;

        public List<SequencedEvent> Events { get; } = new(Math.Min(rows, 256));

        /// <summary>True when the page may not be the last: it filled up.</summary>
        public bool More { get; private set; }

        /// <summary>Adds a row; false when the page is full and reading must stop.</summary>
        public bool Add(long seq, Event e)
        {
            Events.Add(new SequencedEvent(seq, e));
            _bytes += e.Payload.Length;
            More = Events.Count == Rows || _bytes >= PageBytes;
            return !More;
        }
    }
}
