using System.Text;
using SimpleSync.Devices;
using SimpleSync.Storage;
using SimpleSync.Sync;

namespace SimpleSync.Metrics;

internal static class MetricsEndpoints
{
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async (HttpContext context, PrometheusExporter exporter, IEventStore store, StreamHub hub, SyncHealth health) =>
        {
            var history = await store.HeadAsync(context.RequestAborted);
            // Read from the device records at most once a flush interval, however often scraped.
            var devices = await health.SummaryAsync(history, context.RequestAborted);
            var text = new StringBuilder(4096);
            exporter.Write(text,
            [
                ("simplesync_history_events", "The highest seq in the history, its head. Seqs are not promised to be consecutive, so it is not a count of events.", history),
                ("simplesync_streams_open", "Live streams (GET /sync/stream) open now.", hub.Count),
                ("simplesync_devices_known", "Devices recorded (by their Sync-Device header), of every server on the store.", devices.Known),
                ("simplesync_devices_active", "Recorded devices that synced in the last 24 hours.", devices.Active),
                ("simplesync_devices_behind", "Recorded devices whose cursor is behind the head of the history.", devices.Behind),
                ("simplesync_device_notes_dropped", "Syncs of new devices this server did not note since it started: a user naming more than 50 devices between two writes.", health.Dropped),
            ]);
            return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        })
        .WithName("metrics").WithTags("metrics").Produces<string>(StatusCodes.Status200OK, "text/plain")
        .WithSummary("Prometheus metrics: requests by route and status, events by outcome, latencies, history size, open streams, devices")
        .WithDescription("Needs a user's token or the metrics token (metrics.token_file), which no other endpoint accepts.")
        .WithMetadata(new ScrapeTokenAccepted())
        .RequireAuthorization();
}
