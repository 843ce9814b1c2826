using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// The server's storage: the event history, users and the ACL. Implementations translate their
/// backend's errors into <see cref="Errors.ApiException"/> (a unique violation becomes
/// <c>conflict</c>, a locked or failing database <c>unavailable</c>). Stores never decide
/// permissions: endpoints call the ACL evaluator before appending.
/// </summary>
internal interface IEventStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres", for health and metrics.</summary>
    string Provider { get; }

    /// <summary>A random id made when the store was created; a restored backup has a new one.</summary>
    string Epoch { get; }

    /// <summary>
    /// Appends events in the given order; returns one outcome per event. When the task completes
    /// the accepted events are durable. A uuid identifies an event in any letter case
    /// (<see cref="EventIdentity"/>): the same uuid again, in one call or later, in any spelling,
    /// is a duplicate or a conflict of the stored one, never a second event.
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

    Task<bool> IsHealthyAsync(CancellationToken ct);

    Task<StoredUser?> FindUserByNameAsync(string username, CancellationToken ct);
    Task<StoredUser?> FindUserByUuidAsync(string uuid, CancellationToken ct);
    Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken ct);
    Task<int> CountUsersAsync(CancellationToken ct);

    /// <summary>Throws <c>conflict</c> when the uuid or the username is taken.</summary>
    Task CreateUserAsync(StoredUser user, CancellationToken ct);

    /// <summary>Changes what is not null and sets the new stamp. False when no such user; <c>conflict</c> when the username is taken.</summary>
    Task<bool> UpdateUserAsync(string uuid, string? newUsername, string? newPasswordHash, string newStamp, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Grants or revokes admin status. False when no such user; <c>conflict</c> when revoking it
    /// would leave no admin at all (checked in the same transaction as the change).
    /// </summary>
    Task<bool> SetAdminAsync(string uuid, bool admin, CancellationToken ct);

    /// <summary>
    /// Applies the names of <c>auth.admins</c>: each name makes the first account that holds it an
    /// admin, once, and is recorded as used. A used name grants nothing again, so a new account
    /// under the name of a renamed admin is not one. Returns the usernames made admin now.
    /// </summary>
    Task<IReadOnlyList<string>> GrantAdminsAsync(IReadOnlyList<string> names, DateTimeOffset at, CancellationToken ct);

    /// <summary>The version of the current ACL: it grows with every change, 0 before the first.</summary>
    Task<long> GetAclVersionAsync(CancellationToken ct);

    Task<AclVersion> GetAclAsync(CancellationToken ct);

    /// <summary>Replaces the whole ACL in one transaction and records the change; returns the new version.</summary>
    Task<long> ReplaceAclAsync(IReadOnlyList<AclRule> rules, string changedBy, DateTimeOffset at, CancellationToken ct);

    /// <summary>Every ACL change, oldest first.</summary>
    Task<IReadOnlyList<AclVersion>> GetAclHistoryAsync(CancellationToken ct);
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

/// <param name="Admin">Whether the account may manage users and the ACL; it stays with the account through renames.</param>
internal sealed record StoredUser(
    string Uuid,
    string Username,
    string PasswordHash,
    string SecurityStamp,
    DateTimeOffset CreatedAt,
    bool Admin = false);

/// <param name="Version">0 for the empty ACL before any change.</param>
internal sealed record AclVersion(long Version, IReadOnlyList<AclRule> Rules, DateTimeOffset? ChangedAt, string? ChangedBy);
