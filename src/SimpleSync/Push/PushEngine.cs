using SimpleSync.Acl;
using SimpleSync.Config;
using SimpleSync.Devices;
using SimpleSync.Metrics;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Push;

/// <summary>
/// A push as both endpoints run it (POST /events and the cursor protocol's POST /sync): read the
/// body strictly as it arrives, refuse each event that is invalid, not the pusher's own, or denied
/// by the ACL, append the rest in one call, and report per event. A request that fails as a whole
/// (malformed JSON, too many events) stores nothing.
/// </summary>
internal sealed class PushEngine(IEventStore store, AclProvider acl, SyncMetrics metrics, PushGate gate, SyncHealth health,
    TimeProvider time, SimpleSyncOptions options)
{
    /// <summary>Reads, checks and stores one pushed body; returns its cursor (for <c>POST /sync</c>) and a result per element.</summary>
    public async Task<(long? Cursor, PushResult[] Results)> ReceiveAsync(HttpContext context, DeviceCaller caller, PushBodyShape shape)
    {
        var ct = context.RequestAborted;
        using var place = gate.Enter(caller.UserUuid);
        var (cursor, parsed) = await PushBody.ReadAsync(context.Request, shape, options.Limits, ct);
        return (cursor, await RunAsync(parsed, caller, ct));
    }

    private async Task<PushResult[]> RunAsync(IReadOnlyList<ParsedEvent> parsed, DeviceCaller caller, CancellationToken ct)
    {
        var policy = await acl.CurrentAsync(ct);
        var results = new PushResult[parsed.Count];
        // The ACL rule that denied each acl_denied event (-1: none matched), for the rejection log.
        var denyingRule = new int[parsed.Count];
        var toStore = new List<Event>(parsed.Count);
        var storeIndex = new List<int>(parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            var rejection = Check(parsed[i], caller.UserUuid, policy, out denyingRule[i]);
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
        Report(caller, parsed, results, denyingRule, policy.Version);
        return results;
    }

    /// <summary>Tells the device's record how the push went, and logs each refused event with what refused it.</summary>
    private void Report(DeviceCaller caller, IReadOnlyList<ParsedEvent> parsed, PushResult[] results, int[] denyingRule, long aclVersion)
    {
        var now = time.GetUtcNow();
        var accepted = 0;
        var rejections = new List<RejectionInfo>();
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Status == PushStatuses.Accepted)
                accepted++;
            if (results[i].Status != PushStatuses.Rejected)
                continue;
            var denied = results[i].Reason == RejectionReasons.AclDenied;
            var e = parsed[i].Event;
            rejections.Add(new RejectionInfo(now, caller.UserUuid, caller.Device, results[i].Uuid, e?.ItemUuid, e?.Action,
                results[i].Reason!, results[i].Detail!, denied && denyingRule[i] >= 0 ? denyingRule[i] : null, denied ? aclVersion : null));
        }
        health.Pushed(caller, accepted, rejections);
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

    /// <param name="rule">The deciding ACL rule's index when the ACL was asked (-1: no rule matched, or not asked).</param>
    private static EventRejection? Check(ParsedEvent parsed, string userUuid, AclPolicy policy, out int rule)
    {
        rule = -1;
        if (parsed.Event is not { } e)
            return parsed.Rejection;
        if (e.UserUuid != userUuid)
            return new EventRejection(RejectionReasons.UserMismatch, "userUuid: must be the uuid of the user who pushes the event");
        var decision = policy.Decide(e.UserUuid, e.ItemUuid, e.Action);
        rule = decision.Rule;
        if (!decision.Allow)
            return new EventRejection(RejectionReasons.AclDenied, $"the ACL does not allow action '{e.Action}' on item '{e.ItemUuid}'");
        return null;
    }
}
