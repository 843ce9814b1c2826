using System.Runtime.CompilerServices;

namespace SimpleSync.Storage;

internal static class HistoryPages
{
    /// <summary>The highest seq in the history now (0 when it is empty).</summary>
    public static async Task<long> HeadAsync(this IHistoryStore store, CancellationToken ct)
    {
        await using var snapshot = await store.OpenSnapshotAsync(ct);
        return snapshot.HighestSeq;
    }

    /// <summary>
    /// Everything after <paramref name="cursor"/> in seq order, a page at a time, each page read
    /// whole from a snapshot of its own: whoever consumes the pages (a client on the network) holds
    /// no storage resource meanwhile. Ends at the head as the last page found it.
    /// </summary>
    public static async IAsyncEnumerable<List<SequencedEvent>> PagesSinceAsync(this IHistoryStore store, long cursor, int pageEvents,
        [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            var page = new List<SequencedEvent>(pageEvents);
            await using (var snapshot = await store.OpenSnapshotAsync(ct))
            {
                await foreach (var item in snapshot.ReadSince(cursor, pageEvents, ct))
                    page.Add(item);
            }
            if (page.Count == 0)
                yield break;
            yield return page;
            if (page.Count < pageEvents)
                yield break;
            cursor = page[^1].Seq;
        }
    }
}
