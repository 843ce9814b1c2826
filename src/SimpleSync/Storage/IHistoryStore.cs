using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// The append-only history. Every accepted event gets a seq, the cursor protocol's position, and
/// the <b>no-gap rule</b> holds whatever the number of server processes: once a reader has seen seq
/// N, no event with seq ≤ N appears later. Both stores keep it by giving seqs in commit order (one
/// writer at a time holds the database's write lock, or PostgreSQL's advisory lock, from the seq
/// assignment to the commit). Seqs are not promised to be consecutive: readers must not infer
/// anything from a missing number.
/// </summary>
internal interface IHistoryStore
{
    /// <summary>
    /// Appends events in the given order; returns one outcome per event. When the task completes
    /// the accepted events are durable. A uuid identifies an event in any letter case
    /// (<see cref="EventIdentity"/>): the same uuid again, in one call or later, in any spelling,
    /// is a duplicate or a conflict of the stored one, never a second event. Concurrent calls on
    /// one store share a transaction (group commit).
    /// </summary>
    Task<AppendOutcome[]> AppendAsync(IReadOnlyList<Event> events, CancellationToken ct);

    /// <summary>The stored events among <paramref name="uuids"/>, matched in any letter case, each once (absent ones are left out).</summary>
    Task<IReadOnlyList<Event>> FindEventsAsync(IReadOnlyList<string> uuids, CancellationToken ct);

    /// <summary>
    /// A consistent read view: everything read through it is as of one moment (the events with
    /// seq ≤ <see cref="IHistorySnapshot.HighestSeq"/>), however long the reading takes. It must
    /// not hold storage resources for that long: a slow client must not stall the store.
    /// </summary>
    Task<IHistorySnapshot> OpenSnapshotAsync(CancellationToken ct);

    /// <summary>
    /// Completes when another process may have added to the history, with the highest seq it
    /// announced (<see cref="long.MaxValue"/> when unknown, as after a lost connection). PostgreSQL
    /// learns it from NOTIFY; a backend that cannot tell never completes, and the live feed polls
    /// it every <see cref="OtherWritersPoll"/> instead. One waiter at a time.
    /// </summary>
    Task<long> OtherWritersCommittedAsync(CancellationToken ct);

    /// <summary>How often the live feed looks for commits of other processes that no signal announced.</summary>
    TimeSpan OtherWritersPoll { get; }
}

/// <summary>The history as of one moment, read as slowly as the reader likes.</summary>
internal interface IHistorySnapshot : IAsyncDisposable
{
    /// <summary>The highest seq in this snapshot (0 when the history is empty).</summary>
    long HighestSeq { get; }

    /// <summary>Events with timestamp ≥ <paramref name="fromTimestamp"/> in history order (timestamp, then uuid).</summary>
    IAsyncEnumerable<Event> ReadHistory(ulong fromTimestamp, CancellationToken ct);

    /// <summary>At most <paramref name="limit"/> events with seq &gt; <paramref name="cursor"/>, in seq order.</summary>
    IAsyncEnumerable<SequencedEvent> ReadSince(long cursor, int limit, CancellationToken ct);
}

/// <summary>An event with the seq the store gave it: the cursor protocol's unit.</summary>
internal readonly record struct SequencedEvent(long Seq, Event Event);

internal enum AppendStatus
{
    Accepted,
    Duplicate,
    Conflict,
}

/// <param name="Seq">The event's seq: new for accepted, existing for duplicate, 0 for conflict.</param>
internal readonly record struct AppendOutcome(AppendStatus Status, long Seq);
