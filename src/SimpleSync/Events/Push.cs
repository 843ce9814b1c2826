using System.Text.Json;
using SimpleSync.Acl;
using SimpleSync.Config;
using SimpleSync.Errors;
using SimpleSync.Metrics;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Events;

/// <summary>
/// A push as both protocols run it: parse strictly, refuse each event that is invalid, not the
/// pusher's own, or denied by the ACL, append the rest in one call, and report per event.
/// A request that fails as a whole (malformed JSON, too many events) stores nothing.
/// </summary>
internal sealed class Push(IEventStore store, AclProvider acl, SyncMetrics metrics, SimpleSyncOptions options)
{
    /// <summary>The body of <c>POST /events</c>: a JSON array of events.</summary>
    public static List<ParsedEvent> ParseEvents(ReadOnlySpan<byte> body, LimitsSection limits)
    {
        try
        {
            return CheckCount(EventJson.ReadArray(body, limits.MaxPayloadBytes), limits);
        }
        catch (JsonException ex)
        {
            throw ApiException.Invalid($"the body is not valid: {ex.Message}");
        }
    }

    /// <summary>The body of <c>POST /sync</c>: <c>{"cursor": N, "events": [...]}</c>.</summary>
    public static (long Cursor, List<ParsedEvent> Events) ParseSync(ReadOnlySpan<byte> body, LimitsSection limits)
    {
        try
        {
            var (cursor, events) = SyncRequestJson.Read(body, limits.MaxPayloadBytes);
            return (cursor, CheckCount(events, limits));
        }
        catch (JsonException ex)
        {
            throw ApiException.Invalid($"the body is not a valid sync request: {ex.Message}");
        }
    }

    private static List<ParsedEvent> CheckCount(List<ParsedEvent> events, LimitsSection limits)
    {
        var count = events.Count;
        if (count > limits.MaxEventsPerPush)
        {
            throw new ApiException(ErrorCodes.TooLarge,
                $"{count} events is more than the limit of {limits.MaxEventsPerPush} a push (limits.max_events_per_push)");
        }
        return events;
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
    /// Only denied events are looked up, so the common path costs nothing.
    /// </summary>
    private async Task ForgiveStoredAsync(IReadOnlyList<ParsedEvent> parsed, PushResult[] results, CancellationToken ct)
    {
        var denied = Enumerable.Range(0, results.Length).Where(i => results[i].Reason == RejectionReasons.AclDenied).ToList();
        if (denied.Count == 0)
            return;
        var stored = (await store.FindEventsAsync(denied.Select(i => parsed[i].Uuid!).ToList(), ct)).ToDictionary(e => e.Uuid);
        foreach (var i in denied)
        {
            if (stored.TryGetValue(parsed[i].Uuid!, out var existing) && existing == parsed[i].Event)
                results[i] = new PushResult(existing.Uuid, PushStatuses.Duplicate);
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
        if (!policy.Decide(e.UserUuid, e.ItemUuid, e.Action))
            return new EventRejection(RejectionReasons.AclDenied, $"the ACL does not allow action '{e.Action}' on item '{e.ItemUuid}'");
        return null;
    }

    public LimitsSection Limits => options.Limits;
}
