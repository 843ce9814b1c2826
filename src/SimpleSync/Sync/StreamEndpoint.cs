using Microsoft.AspNetCore.Http.Features;
using SimpleSync.Auth;
using SimpleSync.Config;
using SimpleSync.Devices;
using SimpleSync.Errors;
using SimpleSync.Http;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// GET /sync/stream?cursor=N: everything after N, then each accepted batch as it commits, as
/// Server-Sent Events whose id is the seq of the message's last event. A reconnecting client
/// sends Last-Event-ID and misses nothing and repeats nothing. Every stream starts with
/// <c>event: hello</c> {epoch, cursor}; a client that names another epoch (?epoch=) gets hello and
/// <c>event: end</c> reason epoch_changed instead of events from a history it does not know.
/// </summary>
internal static class StreamEndpoint
{
    // The backlog is read a message's worth at a time, so a long one streams in pieces.
    private const int BacklogPage = SseWriter.MaxMessageEvents;

    /// <summary>What an EventSource waits before reconnecting after the stream ends or breaks.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    /// <summary>The header in which a reconnecting client names the last message it applied.</summary>
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>An epoch is a store's random id: short, of letters, digits and dashes (<see cref="OpenApi.WireSchemas.Epoch"/> says so).</summary>
    public const int MaxEpochLength = 64;

    public static async Task Stream(HttpContext context, IEventStore store, StreamHub hub, SimpleSyncOptions options,
        TimeProvider time, SyncHealth health, ILogger<StreamHub> logger)
    {
        var cursor = ResumeFrom(context);
        var knownEpoch = KnownEpoch(context);
        // Subscribe before reading the backlog: a commit that lands in between is then seen by
        // both, and the seq filter below drops the repeat; subscribing after could lose it.
        var user = context.User;
        using var subscription = hub.Subscribe(new StreamOwner(user.Uuid(), user.Stamp(), user.TokenExpires()));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, subscription.EndedToken);
        var ct = linked.Token;

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // The device's record follows what the stream sends it.
        using var device = health.Follow(DeviceCaller.Of(context));
        var reached = device.Reached;
        var sse = new SseWriter(response.BodyWriter);
        var last = cursor;
        try
        {
            await sse.WriteHelloAsync(new StreamHello(store.Epoch, cursor), Retry, ct);
            if (knownEpoch is not null && knownEpoch != store.Epoch)
            {
                // Its Last-Event-ID or cursor is a seq of another history: sending from it could skip events.
                await sse.WriteEndAsync(StreamEndReasons.EpochChanged,
                    "the server's store was restored or re-created: sync, then reconnect with the new epoch and cursor", ct);
                return;
            }
            reached(last);
            last = await SendStoredAsync(sse, store, last, reached, ct);
            var ending = await FollowAsync(sse, subscription, options.Sync, time, last, reached, ct);
            await sse.WriteEndAsync(ending.Reason, ending.Detail, context.RequestAborted);
        }
        catch (OperationCanceledException) when (subscription.Ended is StreamEnd.TooSlow or StreamEnd.ServerStopping or StreamEnd.Revoked)
        {
            if (subscription.Ended == StreamEnd.TooSlow)
                logger.LogInformation("Ending a live stream that fell {Limit} events behind", options.Sync.StreamBufferEvents);
            // Say why, if the client is still reading at all; a client that is not gets its
            // connection dropped. Either way it resumes from its last id.
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            grace.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                var (reason, detail) = Describe(subscription.Ended);
                await sse.WriteEndAsync(reason, detail, grace.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the server is stopping: nothing more to say.
        }
    }

    /// <summary>Sends what the server's live feed publishes, until the stream ends. The store is not read again.</summary>
    private static async Task<(string Reason, string Detail)> FollowAsync(SseWriter sse, StreamSubscription subscription,
        SyncSection sync, TimeProvider time, long last, Action<long> reached, CancellationToken ct)
    {
        // The stream ends at its maximum lifetime, or earlier when the token that opened it expires.
        var lifetimeEnds = time.GetUtcNow() + sync.StreamMaxLifetime;
        var tokenExpires = subscription.Owner.TokenExpires;
        var deadline = tokenExpires < lifetimeEnds ? tokenExpires : lifetimeEnds;
        Task<bool>? next = null;
        while (true)
        {
            // One pending wait on the channel survives heartbeats: a single-reader channel allows one waiter.
            next ??= subscription.Batches.WaitToReadAsync(ct).AsTask();
            using (var beat = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                await Task.WhenAny(next, Task.Delay(sync.Heartbeat, time, beat.Token));
                beat.Cancel();
            }
            if (time.GetUtcNow() >= deadline)
            {
                return deadline == tokenExpires
                    ? (StreamEndReasons.TokenExpired, "the token that opened the stream expired; log in again and reconnect")
                    : (StreamEndReasons.MaxLifetime, "the stream reached its maximum lifetime; reconnect with Last-Event-ID");
            }

            if (!next.IsCompleted)
            {
                // A quiet period: a keep-alive, so proxies keep the connection open.
                await sse.WriteCommentAsync("keep-alive", ct);
                continue;
            }
            var open = await next;
            next = null;
            if (!open)
                return Describe(subscription.Ended);
            while (subscription.Batches.TryRead(out var batch))
            {
                subscription.Taken(batch);
                var fresh = batch[^1].Seq > last ? batch.Where(e => e.Seq > last).ToList() : [];
                if (fresh.Count == 0)
                    continue;
                await sse.WriteEventsAsync(fresh, ct);
                last = fresh[^1].Seq;
                reached(last);
            }
        }
    }

    /// <summary>Sends what the store holds after <paramref name="last"/>, page by page; returns the new last seq.</summary>
    private static async Task<long> SendStoredAsync(SseWriter sse, IEventStore store, long last, Action<long> reached, CancellationToken ct)
    {
        await foreach (var page in store.PagesSinceAsync(last, BacklogPage, ct))
        {
            await sse.WriteEventsAsync(page, ct);
            last = page[^1].Seq;
            reached(last);
        }
        return last;
    }

    private static (string Reason, string Detail) Describe(StreamEnd end) => end switch
    {
        StreamEnd.TooSlow => (StreamEndReasons.TooSlow, "the client fell too far behind; reconnect with Last-Event-ID"),
        StreamEnd.Revoked => (StreamEndReasons.Revoked, "the login was revoked (a password or username change); log in again"),
        _ => (StreamEndReasons.ServerStopping, "the server is shutting down; reconnect with Last-Event-ID"),
    };

    /// <summary>?epoch=: the epoch the client's cursor belongs to, when it says; checked only for form, to refuse junk.</summary>
    private static string? KnownEpoch(HttpContext context)
    {
        var values = context.Request.Query["epoch"];
        if (values.Count == 0)
            return null;
        if (values.Count == 1 && values[0] is { Length: > 0 and <= MaxEpochLength } epoch
            && epoch.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return epoch;
        }
        throw ApiException.Invalid($"epoch must be one epoch as the server sent it (1 to {MaxEpochLength} letters, digits or dashes)",
            new Dictionary<string, string[]> { ["epoch"] = ["not an epoch"] });
    }

    /// <summary>Last-Event-ID (a reconnect) wins over ?cursor= (the first connect).</summary>
    private static long ResumeFrom(HttpContext context)
    {
        var header = context.Request.Headers[LastEventIdHeader];
        return header.Count > 0
            ? QueryValues.Integer(header, LastEventIdHeader, 0, long.MaxValue, 0)
            : QueryValues.Integer(context.Request.Query["cursor"], "cursor", 0, long.MaxValue, 0);
    }
}
