using SimpleSync.Devices;
using SimpleSync.Http;
using SimpleSync.Metrics;
using SimpleSync.OpenApi;
using SimpleSync.Protocol;
using SimpleSync.Push;
using SimpleSync.Storage;

namespace SimpleSync.Events;

/// <summary>The seed's history endpoints, kept exactly as the seed API has them.</summary>
internal static class EventsEndpoints
{
    public static RouteGroupBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/events").RequireAuthorization().WithTags("events");
        group.MapGet("/", GetEvents).WithName("getEvents")
            .Produces<List<Event>>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithQuery("fromTimestamp", WireSchemas.Timestamp(), "Only the events with timestamp at or above this (default 0)")
            .WithCursorHeader()
            .WithSummary("The authoritative history, or the part with timestamp ≥ fromTimestamp, in history order");
        group.MapPost("/", PostEvents).WithName("postEvents")
            .Accepts<List<Event>>("application/json").Produces<List<Event>>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithCursorHeader()
            .WithResponseHeader(StatusCodes.Status200OK, SyncHeaders.Rejected, WireSchemas.Integer(0, int.MaxValue), "How many pushed events were refused")
            .WithSummary("Push events; answers with the whole history (refused events are counted in Sync-Rejected)");
        return group;
    }

    /// <summary>GET /events[?fromTimestamp=N]: events with timestamp ≥ N, in history order.</summary>
    private static async Task GetEvents(HttpContext context, IEventStore store, SyncMetrics metrics, SyncHealth health)
    {
        using var timing = metrics.TimePull();
        var from = QueryValues.UnsignedInteger(context.Request.Query["fromTimestamp"], "fromTimestamp");
        await using var snapshot = await store.OpenSnapshotAsync(context.RequestAborted);
        await HistoryWriter.WriteAsync(context.Response, snapshot, from, context.RequestAborted);
        health.Synced(DeviceCaller.Of(context), snapshot.HighestSeq);
    }

    /// <summary>
    /// POST /events: stores what it can and answers with the whole history after the push. The
    /// seed shape has no room for per-event results, so the count of refused events travels in
    /// the Sync-Rejected header.
    /// </summary>
    private static async Task PostEvents(HttpContext context, PushEngine push, IEventStore store, SyncMetrics metrics, SyncHealth health)
    {
        using var timing = metrics.TimePush();
        var ct = context.RequestAborted;
        var caller = DeviceCaller.Of(context);
        var (_, results) = await push.ReceiveAsync(context, caller, PushBodyShape.EventArray);
        context.Response.Headers[SyncHeaders.Rejected] = results.Count(r => r.Status == PushStatuses.Rejected).ToString();
        await using var snapshot = await store.OpenSnapshotAsync(ct);
        await HistoryWriter.WriteAsync(context.Response, snapshot, 0, ct);
        health.Synced(caller, snapshot.HighestSeq);
    }
}
