using SimpleSync.Acl;
using SimpleSync.Auth;
using SimpleSync.Config;
using SimpleSync.Metrics;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Events;

/// <summary>
/// A push as both protocols run it: read the body strictly as it arrives, refuse each event that
/// is invalid, not the pusher's own, or denied by the ACL, append the rest in one call, and
/// report per event. A request that fails as a whole (malformed JSON, too many events) stores nothing.
/// </summary>
internal sealed class Push(IEventStore store, AclProvider acl, SyncMetrics metrics, PushGate gate, SimpleSyncOptions options)
{
    /// <summary>Reads, checks and stores one pushed body; returns its cursor (for <c>POST /sync</c>) and a result per element.</summary>
    public async Task<(long? Cursor, PushResult[] Results)> ReceiveAsync(HttpContext context, PushBodyShape shape)
    {
        var ct = context.RequestAborted;
        var user = context.User.Uuid();
        using var place = gate.Enter(user);
        var (cursor, parsed) = await PushBody.ReadAsync(context.Request, shape, options.Limits, ct);
        return (cursor, await RunAsync(parsed, user, ct));
    }

    public async Task<PushResult[]> RunAsync(IReadOnlyList<ParsedEvent> parsed, string userUuid, CancellationToken ct)
    {
        var policy = await acl.CurrentAsync(ct);
        var results = new PushResult[parsed.Count];
        var toStore = new List<Event>(parsed.Count);
        var storeIndex = new List<int>(parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            var rejection = Check(parsed[i], userUuid, policy);
            if (rejection is not null)
            {
                results[i] = Rejected(parsed[i].Uuid, rejection);
                continue;
            }
            toStore.Add(parsed[i].Event!);
            storeIndex.Add(i);
        }

        var outcomes = await store.AppendAsync(toStore, ct);
        for (var k = 0; k < outcomes.Length; k++)
        {
            var e = toStore[k];
            results[storeIndex[k]] = outcomes[k].Status switch
            {
                AppendStatus.Accepted => new PushResult(e.Uuid, PushStatuses.Accepted),
                AppendStatus.Duplicate => new PushResult(e.Uuid, PushStatuses.Duplicate),
                _ => Rejected(e.Uuid, new EventRejection(RejectionReasons.UuidConflict,
                    "uuid: an event with this uuid and different content is already in the history")),
            };
        }
        await ForgiveStoredAsync(parsed, results, ct);
        metrics.Pushed(results);
        return results;
    }

    /// <summary>
    /// A retry of a push whose answer was lost must read as a duplicate even if the ACL changed in
    /// between: an ACL-denied event that is already stored with the same content is a duplicate.
    /// Only denied events are looked up, so the common path costs nothing. A push may name the
    /// same uuid more than once, in any case: the lookup keys by identity, not by spelling.
    /// </summary>
    private async Task ForgiveStoredAsync(IReadOnlyList<ParsedEvent> parsed, PushResult[] results, CancellationToken ct)
    {
        var denied = Enumerable.Range(0, results.Length).Where(i => results[i].Reason == RejectionReasons.AclDenied).ToList();
        if (denied.Count == 0)
            return;
        var uuids = denied.Select(i => parsed[i].Uuid!).Distinct(EventIdentity.Uuids).ToList();
        var stored = new Dictionary<string, Event>(EventIdentity.Uuids);
        foreach (var e in await store.FindEventsAsync(uuids, ct))
            stored.TryAdd(e.Uuid, e);
        foreach (var i in denied)
        {
            if (stored.TryGetValue(parsed[i].Uuid!, out var existing) && EventIdentity.SameContent(existing, parsed[i].Event!))
                results[i] = new PushResult(parsed[i].Uuid, PushStatuses.Duplicate);
        }
    }

    private static PushResult Rejected(string? uuid, EventRejection rejection) =>
        new(uuid, PushStatuses.Rejected, rejection.Reason, rejection.Detail);

    private static EventRejection? Check(ParsedEvent parsed, string userUuid, AclPolicy policy)
    {
        if (parsed.Event is not { } e)
            return parsed.Rejection;
        if (e.UserUuid != userUuid)
            return new EventRejection(RejectionReasons.UserMismatch, "userUuid: must be the uuid of the user who pushes the event");
        if (!policy.Decide(e.UserUuid, e.ItemUuid, e.Action).Allow)
            return new EventRejection(RejectionReasons.AclDenied, $"the ACL does not allow action '{e.Action}' on item '{e.ItemUuid}'");
        return null;
    }
}
