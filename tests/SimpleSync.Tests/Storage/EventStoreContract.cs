using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>
/// What every <see cref="IEventStore"/> must do, whatever its backend. A store's test class
/// derives from this, says how to open its storage, and inherits every test (the history here;
/// users, the ACL and the store's lifetime in the other parts of this class).
/// </summary>
public abstract partial class EventStoreContract
{
    /// <summary>
    /// Opens the store under test. Every test starts from empty storage of its own; a second
    /// call within one test opens that same storage again, as a restarted server does.
    /// </summary>
    /// <param name="committed">Told of each commit's accepted events, as the server's live feed is.</param>
    private protected abstract IEventStore OpenStore(Action<IReadOnlyList<SequencedEvent>>? committed = null);

    /// <summary>Takes the storage's write lock from outside the store (another process's writer), until disposed.</summary>
    private protected abstract Task<IAsyncDisposable> HoldWriteLockAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Event New(ulong? timestamp = null, string user = "user-1") => TestEvents.New(user, timestamp: timestamp);

    private static async Task<List<Event>> ReadAllAsync(IHistorySnapshot snapshot, ulong from = 0)
    {
        var events = new List<Event>();
        await foreach (var e in snapshot.ReadHistory(from, Ct))
            events.Add(e);
        return events;
    }

    private static async Task<(long HighestSeq, List<Event> Events)> HistoryAsync(IEventStore store, ulong from = 0)
    {
        await using var snapshot = await store.OpenSnapshotAsync(Ct);
        return (snapshot.HighestSeq, await ReadAllAsync(snapshot, from));
    }

    [Fact]
    public async Task Every_appended_event_is_accepted_with_a_seq_higher_than_every_earlier_one()
    {
        await using var store = OpenStore();
        var events = Enumerable.Range(0, 5).Select(_ => New()).ToArray();

        var first = await store.AppendAsync(events[..3], Ct);
        var second = await store.AppendAsync(events[3..], Ct);

        Assert.Equal(3, first.Length);
        Assert.Equal(2, second.Length);
        var outcomes = first.Concat(second).ToList();
        Assert.All(outcomes, o => Assert.Equal(AppendStatus.Accepted, o.Status));
        Assert.True(outcomes[0].Seq > 0);
        Assert.All(outcomes.Zip(outcomes.Skip(1)), pair => Assert.True(pair.First.Seq < pair.Second.Seq, $"{pair.First.Seq} then {pair.Second.Seq}"));
        var (highest, history) = await HistoryAsync(store);
        Assert.Equal(outcomes[^1].Seq, highest);
        Assert.Equal(events, history);
    }

    [Fact]
    public async Task Finding_events_by_uuid_returns_the_stored_ones_and_leaves_out_the_rest()
    {
        await using var store = OpenStore();
        var stored = new[] { New(), New() };
        await store.AppendAsync(stored, Ct);

        var found = await store.FindEventsAsync([stored[1].Uuid, Guid.NewGuid().ToString(), stored[0].Uuid], Ct);

        Assert.Equal([stored[1], stored[0]], found);
        Assert.Empty(await store.FindEventsAsync([], Ct));
    }

    [Fact]
    public async Task An_empty_append_has_no_outcomes_and_stores_nothing()
    {
        await using var store = OpenStore();

        Assert.Empty(await store.AppendAsync([], Ct));

        var (highest, history) = await HistoryAsync(store);
        Assert.Equal(0, highest);
        Assert.Empty(history);
    }

    [Fact]
    public async Task Re_appending_an_identical_event_is_a_duplicate_with_its_original_seq()
    {
        await using var store = OpenStore();
        var e = New();
        var original = Assert.Single(await store.AppendAsync([e], Ct));
        var fresh = New();

        var again = await store.AppendAsync([e with { }, fresh], Ct);

        Assert.Equal(new AppendOutcome(AppendStatus.Duplicate, original.Seq), again[0]);
        Assert.Equal(AppendStatus.Accepted, again[1].Status);
        Assert.True(again[1].Seq > original.Seq);
        Assert.Equal([e, fresh], (await HistoryAsync(store)).Events);
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("userUuid")]
    [InlineData("itemUuid")]
    [InlineData("action")]
    [InlineData("payload")]
    public async Task The_same_uuid_with_different_content_is_a_conflict_and_changes_nothing(string field)
    {
        await using var store = OpenStore();
        var e = New();
        var original = Assert.Single(await store.AppendAsync([e], Ct));
        var changed = Changed(e, field);

        var outcome = Assert.Single(await store.AppendAsync([changed], Ct));

        Assert.Equal(new AppendOutcome(AppendStatus.Conflict, 0), outcome);
        var (highest, history) = await HistoryAsync(store);
        Assert.Equal(original.Seq, highest);
        Assert.Equal([e], history);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_same_uuid_twice_in_one_call_is_stored_once_as_first_given(bool differentContent)
    {
        await using var store = OpenStore();
        var e = New();
        var second = differentContent ? Changed(e, "payload") : e with { };

        var outcomes = await store.AppendAsync([e, second], Ct);

        Assert.Equal(AppendStatus.Accepted, outcomes[0].Status);
        Assert.Equal(
            differentContent ? new AppendOutcome(AppendStatus.Conflict, 0) : new AppendOutcome(AppendStatus.Duplicate, outcomes[0].Seq),
            outcomes[1]);
        var (highest, history) = await HistoryAsync(store);
        Assert.Equal(outcomes[0].Seq, highest);
        Assert.Equal([e], history);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_uuid_in_another_letter_case_is_the_same_event(bool inOneCall, bool differentContent)
    {
        await using var store = OpenStore();
        var e = New();
        var respelled = (differentContent ? Changed(e, "payload") : e) with { Uuid = e.Uuid.ToUpperInvariant() };

        var outcomes = inOneCall
            ? await store.AppendAsync([e, respelled], Ct)
            : [.. await store.AppendAsync([e], Ct), .. await store.AppendAsync([respelled], Ct)];

        Assert.Equal(AppendStatus.Accepted, outcomes[0].Status);
        Assert.Equal(
            differentContent ? new AppendOutcome(AppendStatus.Conflict, 0) : new AppendOutcome(AppendStatus.Duplicate, outcomes[0].Seq),
            outcomes[1]);
        // The spelling first stored is the one kept.
        Assert.Equal([e], (await HistoryAsync(store)).Events);
        Assert.Equal([e], await store.FindEventsAsync([respelled.Uuid, e.Uuid, respelled.Uuid], Ct));
    }

    [Fact]
    public async Task A_duplicate_or_conflict_in_a_batch_does_not_stop_the_rest_of_it()
    {
        await using var store = OpenStore();
        var stored = New();
        var storedSeq = Assert.Single(await store.AppendAsync([stored], Ct)).Seq;
        var (before, after) = (New(), New());

        var outcomes = await store.AppendAsync([before, stored, Changed(stored, "action"), after], Ct);

        Assert.Equal(
            [AppendStatus.Accepted, AppendStatus.Duplicate, AppendStatus.Conflict, AppendStatus.Accepted],
            outcomes.Select(o => o.Status));
        Assert.Equal(storedSeq, outcomes[1].Seq);
        Assert.True(storedSeq < outcomes[0].Seq && outcomes[0].Seq < outcomes[3].Seq);
        Assert.Equal([stored, before, after], (await HistoryAsync(store)).Events);
    }

    [Fact]
    public async Task History_is_in_timestamp_then_ordinal_uuid_order_whatever_the_append_order()
    {
        await using var store = OpenStore();
        Event At(ulong timestamp, string uuidPrefix) => New(timestamp) with { Uuid = $"{uuidPrefix}-0000-7000-8000-000000000000" };
        var expected = new[]
        {
            At(0, "fffffffe"),
            At(7, "11111111"),
            At(7, "AAAAAAAA"),
            At(7, "FFFFFFFF"),
            At(7, "aaaaaaa0"),
            At(7, "aaaaaaab"),
            At(long.MaxValue, "00000000"),
            At(1UL << 63, "00000000") with { Uuid = "00000000-0000-7000-8000-000000000001" },
            At(ulong.MaxValue - 1, "00000000") with { Uuid = "00000000-0000-7000-8000-000000000002" },
            At(ulong.MaxValue, "00000000") with { Uuid = "00000000-0000-7000-8000-000000000003" },
        };
        var shuffled = expected.ToArray();
        new Random(42).Shuffle(shuffled);

        await store.AppendAsync(shuffled[..4], Ct);
        await store.AppendAsync(shuffled[4..], Ct);

        Assert.Equal(expected, (await HistoryAsync(store)).Events);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(9223372036854775807UL)]
    [InlineData(9223372036854775808UL)]
    [InlineData(18446744073709551614UL)]
    [InlineData(18446744073709551615UL)]
    public async Task FromTimestamp_returns_the_events_at_or_after_it_across_the_whole_unsigned_range(ulong from)
    {
        await using var store = OpenStore();
        var timestamps = new ulong[] { 0, 1, (1UL << 63) - 1, 1UL << 63, ulong.MaxValue - 1, ulong.MaxValue };
        var events = timestamps.Select(t => New(t)).ToArray();
        await store.AppendAsync(events.Reverse().ToArray(), Ct);

        var (_, read) = await HistoryAsync(store, from);

        Assert.NotEmpty(read);
        Assert.Equal(events.Where(e => e.Timestamp >= from), read);
    }

    [Fact]
    public async Task A_snapshot_opened_before_an_append_never_sees_it()
    {
        await using var store = OpenStore();
        var a = New();
        var seqA = Assert.Single(await store.AppendAsync([a], Ct)).Seq;
        await using var before = await store.OpenSnapshotAsync(Ct);

        var b = New();
        var seqB = Assert.Single(await store.AppendAsync([b], Ct)).Seq;

        Assert.Equal(seqA, before.HighestSeq);
        Assert.Equal([a], await ReadAllAsync(before));
        await using (var after = await store.OpenSnapshotAsync(Ct))
        {
            Assert.Equal(seqB, after.HighestSeq);
            Assert.Equal([a, b], await ReadAllAsync(after));
        }
        Assert.Equal([a], await ReadAllAsync(before));
    }

    [Fact]
    public async Task A_snapshot_of_an_empty_store_has_seq_0_and_no_events()
    {
        await using var store = OpenStore();

        await using var snapshot = await store.OpenSnapshotAsync(Ct);

        Assert.Equal(0, snapshot.HighestSeq);
        Assert.Empty(await ReadAllAsync(snapshot));
    }

    [Fact]
    public async Task Concurrent_appends_each_get_their_own_outcomes_and_seqs_that_are_never_shared()
    {
        await using var store = OpenStore();
        var batches = Enumerable.Range(0, 16).Select(i => Enumerable.Range(0, 5).Select(_ => New(user: $"user-{i}")).ToArray()).ToArray();

        var outcomes = await Task.WhenAll(batches.Select(batch => Task.Run(() => store.AppendAsync(batch, Ct), Ct)));

        Assert.All(outcomes, batch =>
        {
            Assert.Equal(5, batch.Length);
            Assert.All(batch, o => Assert.Equal(AppendStatus.Accepted, o.Status));
            Assert.Equal(batch.Select(o => o.Seq).Order(), batch.Select(o => o.Seq));
        });
        var seqs = outcomes.SelectMany(b => b).Select(o => o.Seq).ToList();
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        var (highest, history) = await HistoryAsync(store);
        Assert.Equal(seqs.Max(), highest);
        Assert.Equal(batches.SelectMany(b => b).Order(Event.HistoryOrder), history);
    }

    private static Event Changed(Event e, string field) => field switch
    {
        "timestamp" => e with { Timestamp = e.Timestamp + 1 },
        "userUuid" => e with { UserUuid = e.UserUuid + "x" },
        "itemUuid" => e with { ItemUuid = e.ItemUuid + "x" },
        "action" => e with { Action = e.Action + "x" },
        "payload" => e with { Payload = e.Payload + " " },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
