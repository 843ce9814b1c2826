using System.Collections.Concurrent;
using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

public sealed class ConcurrencyTests
{
    private const int Pushers = 8;
    private const int BatchesPerPusher = 200;
    // Every POST /events answer carries the whole history, so the cost of this test grows with
    // the square of the history; two events a batch keep it to seconds on two cores while still
    // checking the order within a batch.
    private const int EventsPerBatch = 2;
    private const int Total = Pushers * BatchesPerPusher * EventsPerBatch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parallel_pushers_get_every_event_stored_once_in_gapless_seq_order_while_a_reader_never_sees_history_go_back()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var readerClient = await server.AdminAsync();
        var pushers = new List<(string Uuid, HttpClient Client)>();
        for (var i = 0; i < Pushers; i++)
            pushers.Add(await server.NewUserAsync($"pusher{i}"));

        var acknowledged = new ConcurrentQueue<Event>();
        using var pushing = new CancellationTokenSource();
        var reader = Task.Run(() => ReadWhilePushingAsync(readerClient, acknowledged, pushing.Token), Ct);
        Task<List<Event>[]> pushed;
        try
        {
            pushed = Task.WhenAll(pushers.Select((p, i) => Task.Run(() => PushAllAsync(p.Client, p.Uuid, seed: i, acknowledged), Ct)));
            await pushed;
        }
        finally
        {
            await pushing.CancelAsync();
        }
        var cursorsSeen = await reader;

        // The reader looked at the history while it grew, not only before or after.
        Assert.Contains(cursorsSeen, c => c is > 0 and < Total);
        var all = (await pushed).SelectMany(batches => batches).ToList();
        using var final = await readerClient.GetAsync("/events", Ct);
        Assert.Equal(Total.ToString(), final.Headers.GetValues("Sync-Cursor").Single());
        Assert.Equal(all.Order(Event.HistoryOrder), await final.ReadEventsAsync());

        var seqs = await ReadSeqsAsync(server);
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), seqs.Select(s => s.Seq));
        var seqOf = seqs.ToDictionary(s => s.Uuid, s => s.Seq);
        Assert.Equal(all.Select(e => e.Uuid).Order(), seqOf.Keys.Order());
        // Each pusher sent its batches one after another: their seqs follow that order.
        foreach (var events in await pushed)
        {
            var order = events.Select(e => seqOf[e.Uuid]).ToList();
            Assert.Equal(order.Order(), order);
        }
    }

    /// <summary>Pushes this pusher's batches one after another; returns its events in push order.</summary>
    private static async Task<List<Event>> PushAllAsync(HttpClient client, string user, int seed, ConcurrentQueue<Event> acknowledged)
    {
        // Timestamps are random so that new events land between old ones in history order, not only at the end.
        var random = new Random(seed);
        var mine = new List<Event>();
        for (var b = 0; b < BatchesPerPusher; b++)
        {
            var batch = Enumerable.Range(0, EventsPerBatch)
                .Select(i => new Event(Guid.CreateVersion7().ToString(), (ulong)random.NextInt64(0, 1_000_000), user, $"item-{seed}-{i}", "set", $"{{\"b\":{b}}}"))
                .ToArray();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = TestEvents.Content(TestEvents.ToJson(batch)) };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("0", response.Headers.GetValues("Sync-Rejected").Single());
            // The status is the acknowledgement: it is sent only once the append is durable.
            await response.Content.CopyToAsync(Stream.Null, Ct);
            mine.AddRange(batch);
            foreach (var e in batch)
                acknowledged.Enqueue(e);
        }
        return mine;
    }

    /// <summary>
    /// Polls the whole history until the pushers are done (and once more after), checking each
    /// answer against the one before: the cursor never goes down, nothing seen before vanishes
    /// or moves, and every push answered before the poll began is in it.
    /// </summary>
    private static async Task<HashSet<long>> ReadWhilePushingAsync(HttpClient client, ConcurrentQueue<Event> acknowledged, CancellationToken pushing)
    {
        var cursors = new HashSet<long>();
        var previous = new List<Event>();
        var previousCursor = 0L;
        var last = false;
        while (!last)
        {
            last = pushing.IsCancellationRequested;
            var answeredBefore = acknowledged.ToArray();
            using var response = await client.GetAsync("/events", Ct);
            var cursor = long.Parse(response.Headers.GetValues("Sync-Cursor").Single());
            var events = await response.ReadEventsAsync();

            Assert.True(cursor >= previousCursor, $"Sync-Cursor went from {previousCursor} down to {cursor}");
            // seq runs 1..N without gaps, so a consistent snapshot holds exactly Sync-Cursor events.
            Assert.Equal(cursor, events.Count);
            for (var i = 1; i < events.Count; i++)
                Assert.True(Event.HistoryOrder.Compare(events[i - 1], events[i]) < 0, $"events {i - 1} and {i} are out of history order");
            AssertSubsequence(previous, events);
            var present = events.Select(e => e.Uuid).ToHashSet();
            var missing = answeredBefore.Where(e => !present.Contains(e.Uuid)).Select(e => e.Uuid).ToList();
            Assert.True(missing.Count == 0, $"acknowledged before the poll but not in it: {string.Join(", ", missing.Take(5))}");

            cursors.Add(cursor);
            (previous, previousCursor) = (events, cursor);
        }
        return cursors;
    }

    /// <summary>Every event of <paramref name="earlier"/> is in <paramref name="later"/>, unchanged and in the same order.</summary>
    private static void AssertSubsequence(List<Event> earlier, List<Event> later)
    {
        var j = 0;
        foreach (var e in earlier)
        {
            while (j < later.Count && later[j] != e)
                j++;
            Assert.True(j < later.Count, $"event {e.Uuid} was in an earlier answer but is missing or moved in a later one");
            j++;
        }
    }

    /// <summary>Reads seq and uuid from the store itself, as the CLI would open it beside the server.</summary>
    private static async Task<List<(long Seq, string Uuid)>> ReadSeqsAsync(LiveServer server)
    {
        await using var store = await EventStores.OpenAsync(server.Options.Storage, null, create: false, keepReads: false, Ct);
        await using var snapshot = await store.OpenSnapshotAsync(Ct);
        var rows = new List<(long, string)>();
        await foreach (var (seq, e) in snapshot.ReadSince(0, int.MaxValue, Ct))
            rows.Add((seq, e.Uuid));
        return rows;
    }
}
