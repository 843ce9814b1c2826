using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>What one <see cref="SyncClient.SyncAsync"/> did.</summary>
/// <param name="Accepted">Pushed events the server stored now.</param>
/// <param name="Duplicates">Pushed events the server already had (a retry of a push whose answer was lost).</param>
/// <param name="Rejected">Pushed events the server refused for good; they have left pending.</param>
/// <param name="Pulled">How many events the server sent (the client's own accepted events included).</param>
/// <param name="EpochChanged">
/// True when the server's store turned out to be another one (restored or re-created): the client
/// moved its own events back to pending, pushed them again and pulled everything anew.
/// </param>
public sealed record SyncResult(
    IReadOnlyList<Event> Accepted,
    IReadOnlyList<Event> Duplicates,
    IReadOnlyList<RejectedEvent> Rejected,
    int Pulled,
    bool EpochChanged);

/// <summary>
/// A pushed event the server refused. The same event would be refused again, so it is no longer
/// pending: show it to the user, and record a corrected event if that makes sense.
/// </summary>
/// <param name="Event">The refused event, as it was recorded.</param>
/// <param name="Reason">One of <see cref="RejectionReasons"/>.</param>
/// <param name="Detail">What was wrong, for people.</param>
public sealed record RejectedEvent(Event Event, string Reason, string? Detail);

/// <summary>What a sync button needs to show.</summary>
/// <param name="PendingCount">Events recorded here and not yet accepted by the server.</param>
/// <param name="LastSync">When a sync last succeeded, by the client's clock; null if never.</param>
/// <param name="LastError">The error of the last sync or watch attempt; null after a success.</param>
/// <param name="IsSyncing">True while <see cref="SyncClient.SyncAsync"/> runs.</param>
/// <param name="IsWatching">True while <see cref="SyncClient.WatchAsync"/> runs (connected or reconnecting).</param>
/// <param name="IsLoggedIn">True when a token is stored; false after a 401 until the next login.</param>
public sealed record SyncStatus(
    int PendingCount,
    DateTimeOffset? LastSync,
    SyncException? LastError,
    bool IsSyncing,
    bool IsWatching,
    bool IsLoggedIn);
