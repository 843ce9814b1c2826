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
