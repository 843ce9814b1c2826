using System.Text;
using SimpleSync.Storage;
using SimpleSync.Sync;

namespace SimpleSync.Metrics;

internal static class MetricsEndpoints
{
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async (HttpContext context, PrometheusExporter exporter, IEventStore store, StreamHub hub) =>
        {
            long history;
            await using (var snapshot = await store.OpenSnapshotAsync(context.RequestAborted))
                history = snapshot.HighestSeq;
            var text = new StringBuilder(4096);
            exporter.Write(text,
            [
                ("simplesync_history_events", "The highest seq in the history: its number of events, as both stores give consecutive seqs.", history),
                ("simplesync_streams_open", "Live streams (GET /sync/stream) open now.", hub.Count),
            ]);
            return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        })
        .WithName("metrics").WithTags("metrics").Produces<string>(StatusCodes.Status200OK, "text/plain")
        .WithSummary("Prometheus metrics: requests by route and status, events by outcome, latencies, history size, open streams")
        .WithDescription("Needs a user's token or the metrics token (metrics.token_file), which no other endpoint accepts.")
        .WithMetadata(new ScrapeTokenAccepted())
        .RequireAuthorization();
}
