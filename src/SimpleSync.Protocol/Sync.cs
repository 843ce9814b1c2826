using System.Text.Json.Serialization;

namespace SimpleSync.Protocol;

/// <summary>The status of one pushed event in a <c>POST /sync</c> answer.</summary>
public static class PushStatuses
{
    /// <summary>Stored now; it comes back in <c>events</c> with everything else new.</summary>
    public const string Accepted = "accepted";
    /// <summary>Already in the history with identical content: nothing to do (a retried push).</summary>
    public const string Duplicate = "duplicate";
    /// <summary>Refused; <c>reason</c> says why (one of <see cref="RejectionReasons"/>).</summary>
    public const string Rejected = "rejected";

    /// <summary>Every push status, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [Accepted, Duplicate, Rejected];
}

/// <summary>What became of one pushed event.</summary>
/// <param name="Uuid">The event's uuid as sent, or null when it had none.</param>
/// <param name="Status">One of <see cref="PushStatuses"/>.</param>
/// <param name="Reason">For rejected events, one of <see cref="RejectionReasons"/>.</param>
/// <param name="Detail">For rejected events, what was wrong, for people.</param>
public sealed record PushResult(
    string? Uuid,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

/// <summary>
/// The answer of <c>GET /sync</c> and <c>POST /sync</c>: events after the request's cursor in
/// seq order, the new cursor, whether to ask again, and the store's epoch.
/// </summary>
/// <param name="Epoch">The store's identity; when it changes, cursors from before mean nothing.</param>
/// <param name="Cursor">The highest seq returned, or the request's cursor when nothing was new.</param>
/// <param name="More">True when more events wait: ask again with <paramref name="Cursor"/>.</param>
/// <param name="Events">Events with seq above the request's cursor, in seq order.</param>
/// <param name="Results">For <c>POST /sync</c>: one result per pushed event, in request order.</param>
public sealed record SyncResponse(
    string Epoch,
    long Cursor,
    bool More,
    IReadOnlyList<Event> Events,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PushResult>? Results = null);

/// <summary>The body of <c>POST /sync</c>: the client's cursor and its pending events.</summary>
/// <param name="Cursor">The highest seq the client has; the answer holds what came after it.</param>
/// <param name="Events">Events to push (may be empty: then this is a pull).</param>
public sealed record SyncRequest(long Cursor, IReadOnlyList<Event> Events);

/// <summary>
/// The data of <c>event: hello</c>, the first message of every live stream: the store's epoch and
/// the seq the stream continues after. A client that knows another epoch syncs before it reads on.
/// </summary>
/// <param name="Epoch">The store's identity, as in <see cref="SyncResponse.Epoch"/>.</param>
/// <param name="Cursor">The stream sends the events with seq above this.</param>
public sealed record StreamHello(string Epoch, long Cursor);

/// <summary>
/// The closed list of reasons in the <c>event: end</c> message with which the server ends a live
/// stream. After each, the client reconnects (with <c>Last-Event-ID</c>); after
/// <see cref="Revoked"/> and <see cref="TokenExpired"/> it logs in first, after
/// <see cref="EpochChanged"/> it syncs first.
/// </summary>
public static class StreamEndReasons
{
    /// <summary>The stream reached <c>sync.stream_max_lifetime</c>.</summary>
    public const string MaxLifetime = "max_lifetime";
    /// <summary>The server is shutting down.</summary>
    public const string ServerStopping = "server_stopping";
    /// <summary>The client fell more than <c>sync.stream_buffer_events</c> behind.</summary>
    public const string TooSlow = "too_slow";
    /// <summary>The user's password or username changed, or the user was removed.</summary>
    public const string Revoked = "revoked";
    /// <summary>The token that opened the stream expired.</summary>
    public const string TokenExpired = "token_expired";
    /// <summary>The stream was asked for with <c>?epoch=</c> of another epoch: the store was restored or re-created.</summary>
    public const string EpochChanged = "epoch_changed";

    /// <summary>Every end reason, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [MaxLifetime, ServerStopping, TooSlow, Revoked, TokenExpired, EpochChanged];
}
