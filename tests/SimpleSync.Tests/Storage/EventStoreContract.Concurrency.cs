using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Config;
using SimpleSync.Storage;
using SimpleSync.Sync;

namespace SimpleSync.Tests.Storage;

/// <summary>The contract when several processes share the storage: two store instances stand for two servers (or a server and the CLI).</summary>
public abstract partial class EventStoreContract
{
    [Fact]
    public async Task Reading_since_a_cursor_gives_the_later_events_in_seq_order_up_to_the_limit()
    {
        await using var store = OpenStore();
        var outcomes = await store.AppendAsync([.. Enumerable.Range(0, 5).Select(i => New((ulong)(1000 - i)))], Ct);
        var seqs = outcomes.Select(o => o.Seq).ToList();

        await using var snapshot = await store.OpenSnapshotAsync(Ct);

        Assert.Equal(seqs[2..4], await SeqsSinceAsync(snapshot, seqs[1], limit: 2));
        Assert.Equal(seqs[1..], await SeqsSinceAsync(snapshot, seqs[0], limit: 100));
        Assert.Empty(await SeqsSinceAsync(snapshot, seqs[^1], limit: 100));
        Assert.Empty(await SeqsSinceAsync(snapshot, long.MaxValue, limit: 100));
    }

    [Fact]
    public async Task Looking_up_one_uuid_several_times_and_in_other_letter_cases_finds_it_once()
    {
        await using var store = OpenStore();
        var e = New();
        await store.AppendAsync([e], Ct);

        var found = await store.FindEventsAsync([e.Uuid, e.Uuid.ToUpperInvariant(), e.Uuid], Ct);

        Assert.Equal([e], found);
    }

    [Fact]
    public async Task Two_store_instances_writing_at_once_share_one_history_with_distinct_seqs()
    {
        await using var a = OpenStore();
        await using var b = OpenStore();
        var shared = New();
        var writes = Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).AppendAsync([New(), shared, New()], Ct)).ToList();

        var outcomes = await Task.WhenAll(writes);

        var accepted = outcomes.SelectMany(o => o).Where(o => o.Status == AppendStatus.Accepted).Select(o => o.Seq).ToList();
        Assert.Equal(81, accepted.Count);
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        Assert.Equal(39, outcomes.Count(o => o[1].Status == AppendStatus.Duplicate));
        var (highest, history) = await HistoryAsync(a);
        Assert.Equal(81, history.Count);
        Assert.Equal(accepted.Max(), highest);
        Assert.Equal(history, (await HistoryAsync(b)).Events);
    }

    /// <summary>
    /// The no-gap rule: readers that follow the history by cursor while two instances write see
    /// every event exactly once, so a cursor never passes an event that commits later.
    /// </summary>
    [Fact]
    public async Task Readers_following_by_cursor_while_two_instances_write_miss_no_event()
    {
        await using var a = OpenStore();
        await using var b = OpenStore();
        var writers = new[] { a, b, a, b }.Select(store => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
                await store.AppendAsync([New(), New()], Ct);
        }, Ct)).ToArray();
        var followers = new[] { a, b }.Select(store => Task.Run(async () =>
        {
            var seen = new List<long>();
            var cursor = 0L;
            while (true)
            {
                var done = writers.All(w => w.IsCompleted);
                await using (var snapshot = await store.OpenSnapshotAsync(Ct))
                {
                    await foreach (var item in snapshot.ReadSince(cursor, 7, Ct))
                    {
                        seen.Add(item.Seq);
                        cursor = item.Seq;
                    }
                }
                if (done && cursor == (await HistoryAsync(store)).HighestSeq)
                    return seen;
            }
        }, Ct)).ToArray();

        await Task.WhenAll(writers);
        var followed = await Task.WhenAll(followers);

        var (_, history) = await HistoryAsync(a);
        Assert.Equal(200, history.Count);
        Assert.All(followed, seen =>
        {
            Assert.Equal(200, seen.Count);
            Assert.Equal(seen.Order(), seen);
            Assert.Equal(seen.Count, seen.Distinct().Count());
        });
    }

    [Fact]
    public async Task Appends_that_wait_for_the_writer_together_share_one_commit()
    {
        var commits = 0;
        await using var store = OpenStore(_ => Interlocked.Increment(ref commits));
        List<Task<AppendOutcome[]>> appends;

        await using (await HoldWriteLockAsync())
        {
            appends = [.. Enumerable.Range(0, 20).Select(_ => store.AppendAsync([New()], Ct))];
            Assert.All(appends, a => Assert.False(a.IsCompleted, "an append completed while another process held the write lock"));
        }
        var outcomes = await Task.WhenAll(appends);

        Assert.All(outcomes, o => Assert.Equal(AppendStatus.Accepted, Assert.Single(o).Status));
        // The writer may have taken the first few before it met the lock; all the rest then go in one commit.
        Assert.InRange(commits, 1, 2);
    }

    /// <summary>Whether the store hears of other processes' commits (PostgreSQL's NOTIFY) rather than needing the feed's poll.</summary>
    private protected virtual bool AnnouncesOtherWriters => false;

    [Fact]
    public async Task The_live_feed_publishes_commits_of_another_instance_in_seq_order()
    {
        await using var server = OpenStore();
        await using var other = OpenStore();
        var hub = new StreamHub(new SyncSection());
        // The clock moves only when this test moves it: a store that announces commits must
        // deliver without the poll ever firing.
        var time = new FakeTimeProvider();
        using var feed = new HistoryFeed(hub, time, NullLogger<HistoryFeed>.Instance);
        await server.AppendAsync([New()], Ct);
        await feed.FollowAsync(server, Ct);
        await feed.StartAsync(Ct);
        using var subscription = hub.Subscribe(new StreamOwner("user-1", "stamp", DateTimeOffset.MaxValue));

        var fromOther = await other.AppendAsync([New(), New()], Ct);
        var received = new List<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Task<IReadOnlyList<SequencedEvent>>? next = null;
        while (received.Count < 2)
        {
            // The feed may not have set its poll's timer yet when the clock first moves: a store
            // that needs the poll gets it again until the events come.
            if (!AnnouncesOtherWriters)
                time.Advance(server.OtherWritersPoll);
            next ??= subscription.Batches.ReadAsync(Ct).AsTask();
            var wait = AnnouncesOtherWriters ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(200);
            if (await Task.WhenAny(next, Task.Delay(wait, Ct)) == next)
            {
                received.AddRange((await next).Select(e => e.Seq));
                next = null;
            }
            Assert.True(DateTime.UtcNow < deadline, "the feed published nothing of the other instance's commit within 30 s");
        }
        await feed.StopAsync(Ct);

        Assert.Equal(fromOther.Select(o => o.Seq), received);
    }

    private static async Task<List<long>> SeqsSinceAsync(IHistorySnapshot snapshot, long cursor, int limit)
    {
        var seqs = new List<long>();
        await foreach (var item in snapshot.ReadSince(cursor, limit, Ct))
            seqs.Add(item.Seq);
        return seqs;
    }
}
