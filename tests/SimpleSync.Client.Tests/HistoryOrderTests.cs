using SimpleSync.Protocol;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

/// <summary>
/// The local store reads the history in <see cref="Event.HistoryOrder"/>, the order the SDK sorted
/// it in before the store could: timestamps over the whole unsigned range, then uuids as ordinal text.
/// </summary>
public sealed class HistoryOrderTests
{
    [Fact]
    public void The_store_reads_the_history_in_history_order_whole_and_after_any_event()
    {
        using var dir = new TempDir();
        using var store = new LocalStore(dir.File("device.db"));
        var random = new Random(20250601);
        ulong[] edges = [0, 1, (1UL << 53) + 1, (1UL << 63) - 1, 1UL << 63, (1UL << 63) + 1, ulong.MaxValue - 1, ulong.MaxValue];
        var events = new List<Event>();
        for (var i = 0; i < 400; i++)
        {
            // Few distinct timestamps, so that many ties fall to the uuid; uuids in both letter cases.
            var timestamp = i % 2 == 0 ? edges[random.Next(edges.Length)] : (ulong)random.NextInt64() << 1;
            var uuid = Guid.NewGuid().ToString();
            events.Add(new Event(random.Next(2) == 0 ? uuid : uuid.ToUpperInvariant(), timestamp, "u", $"task-{i % 7}", "update", "{}"));
        }
        // In batches of arbitrary order, as pages and live messages bring them.
        for (var (seq, start) = (0L, 0); start < events.Count; start += 37)
        {
            var batch = events.GetRange(start, Math.Min(37, events.Count - start));
            store.Apply(batch, [], seq, seq + batch.Count, "epoch", null);
            seq += batch.Count;
        }
        var expected = events.Order(Event.HistoryOrder).ToList();

        Assert.Equal(expected, store.ReadHistory(after: null, rewrites: 0).Authoritative);
        foreach (var at in new[] { 0, 1, 150, 398, 399 })
        {
            var history = store.ReadHistory(expected[at], store.ReadHistory(null, 0).Rewrites);
            Assert.False(history.Whole);
            Assert.Equal(expected[(at + 1)..], history.Authoritative);
        }
    }
}
