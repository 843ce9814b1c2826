using SimpleSync.Devices;
using SimpleSync.Http;
using SimpleSync.Metrics;
using SimpleSync.OpenApi;
using SimpleSync.Protocol;
using SimpleSync.Push;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// The cursor protocol (docs/protocol.md): pull what is past a cursor in seq order, page by page; push
/// and pull in one round trip with a result for every pushed event.
/// </summary>
internal static class SyncEndpoints
{
    public const int DefaultLimit = 10_000;

    public static RouteGroupBuilder MapSync(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sync").RequireAuthorization().WithTags("sync");
        group.MapGet("/", Pull).WithName("pull")
            .Produces<SyncResponse>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithQuery("cursor", WireSchemas.Seq(), "Answer the events with seq above this (default 0)")
            .WithQuery("limit", WireSchemas.Integer(1, DefaultLimit), "At most this many events (default and maximum 10,000)")
            .WithCursorHeader().WithClientHeaders()
            .WithSummary("Events with seq > cursor, in seq order, at most limit (default and maximum 10,000)");
        group.MapPost("/", PushAndPull).WithName("pushAndPull")
            .Accepts<SyncRequest>("application/json").Produces<SyncResponse>().WithPushResults()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithCursorHeader().WithClientHeaders()
            .WithSummary("Push events and pull what is new since cursor in one round trip, with a result per pushed event");
        group.MapGet("/stream", StreamEndpoint.Stream).WithName("stream")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream").WithStreamMessages()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithQuery("cursor", WireSchemas.Seq(), "Send the events with seq above this (default 0); Last-Event-ID wins over it")
            .WithQuery("epoch", WireSchemas.Epoch(), "The epoch the client's cursor belongs to; another epoch ends the stream after hello with reason epoch_changed")
            .WithRequestHeader(StreamEndpoint.LastEventIdHeader, WireSchemas.Seq(), "On reconnect: the id of the last message applied; wins over ?cursor=")
            .WithClientHeaders()
            .WithSummary("Server-Sent Events: hello, the backlog after cursor (or Last-Event-ID), then each accepted batch");
        return group;
    }

    /// <summary>GET /sync?cursor=N[&amp;limit=K]: events with seq &gt; N, at most K of them.</summary>
    private static async Task Pull(HttpContext context, IEventStore store, SyncMetrics metrics, SyncHealth health)
    {
        using var timing = metrics.TimePull();
        var query = context.Request.Query;
        var cursor = QueryValues.Integer(query["cursor"], "cursor", 0, long.MaxValue, 0);
        var limit = (int)QueryValues.Integer(query["limit"], "limit", 1, DefaultLimit, DefaultLimit);
        await using var snapshot = await store.OpenSnapshotAsync(context.RequestAborted);
        var reached = await SyncWriter.WriteAsync(context.Response, store.Epoch, snapshot, cursor, limit, null, context.RequestAborted);
        health.Synced(DeviceCaller.Of(context), reached);
    }

    /// <summary>
    /// POST /sync {cursor, events}: stores the pushed events, then answers as GET /sync from the
    /// request's cursor, so the client's own accepted events come back with everything else new.
    /// </summary>
    private static async Task PushAndPull(HttpContext context, IEventStore store, PushEngine push, SyncMetrics metrics, SyncHealth health)
    {
        using var timing = metrics.TimePush();
        var ct = context.RequestAborted;
        var caller = DeviceCaller.Of(context);
        var (cursor, results) = await push.ReceiveAsync(context, caller, PushBodyShape.SyncRequest);
        await using var snapshot = await store.OpenSnapshotAsync(ct);
        var reached = await SyncWriter.WriteAsync(context.Response, store.Epoch, snapshot, cursor!.Value, DefaultLimit, results, ct);
        health.Synced(caller, reached);
    }
}
