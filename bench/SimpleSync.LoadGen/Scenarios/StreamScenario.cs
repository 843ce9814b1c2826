using System.Diagnostics;
using System.Globalization;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// Live delivery: many clients hold <c>GET /sync/stream</c> open while another pushes one event
/// at a time at a modest rate. Latency runs from just before the push is sent to the moment the
/// event's message has arrived on a stream; every (push, stream) pair is one sample, and the
/// first and last stream to see each push are reported too. With two servers the streams are
/// on the second and the pushes go to the first, so every delivery crosses from one to the other.
/// On the peer the streams are <c>_changes?feed=continuous</c> and a push is <c>_bulk_docs</c>
/// followed by <c>_changes</c> since the pusher's last seq.
/// </summary>
internal static class StreamScenario
{
    private const int PushesPerSecond = 20;
    private const int WarmupPushes = 20;

    public static Scenario Define(string name, int streams) => new(
        name,
        $"{streams} open /sync/stream connections (4 users); another user pushes 1-event batches, {PushesPerSecond} a second; push → event seen on the streams",
        false,
        ctx => RunAsync(ctx, streams));

    private static async Task<ScenarioResult> RunAsync(ScenarioContext ctx, int streams)
    {
        var ct = ctx.Cancellation;
        // Many streams for a few users, more than a user may open by default. Only this scenario asks
        // for it, so that --server can still measure builds that predate the setting.
        await using var server = await ctx.StartTargetAsync(new Dictionary<string, string> { ["SIMPLESYNC_SYNC_MAX_STREAMS_PER_USER"] = "10000" });
        var users = await server.CreateClientsAsync("listener", 5, ct);
        var pusher = users[0];
        var measured = (int)(ctx.Options.Window.TotalSeconds * PushesPerSecond);
        var pushes = WarmupPushes + measured;
        var tag = Random.Shared.Next(0x1000_0000, int.MaxValue);
        var listeners = new List<Listener>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            ctx.Log($"opening {streams} streams");
            for (var i = 0; i < streams; i++)
                listeners.Add(await Listener.OpenAsync(users[1 + i % 4].OnServer(1), tag, pushes, stop.Token));
            await Task.WhenAll(listeners.Select(l => l.Ready));

            ctx.Log($"pushing {pushes} single events, {PushesPerSecond} a second");
            var cpu = server.CpuMeter();
            var memory = server.MemoryMeter();
            var (sentAt, pushLatencies) = await PushAsync(pusher.OnServer(0), tag, pushes, ct);
            await WaitForDeliveryAsync(listeners, pushes, ct);
            var cpuSplit = cpu.Stop();
            var memorySample = await memory.StopAsync();
            return ctx.Result(server, Figures(listeners, sentAt, pushLatencies, streams), cpuSplit, memorySample,
                [$"{measured} measured pushes after {WarmupPushes} warm-up pushes; {Missing(listeners, pushes)} deliveries missing"]);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var listener in listeners)
                await listener.DisposeAsync();
        }
    }

    private static List<Figure> Figures(List<Listener> listeners, long[] sentAt, Latencies pushLatencies, int streams)
    {
        Latencies every = new(), first = new(), last = new();
        for (var push = WarmupPushes; push < sentAt.Length; push++)
        {
            long earliest = long.MaxValue, latest = 0;
            foreach (var listener in listeners)
            {
                var arrived = listener.ArrivedAt[push];
                if (arrived == 0)
                    continue;
                every.Add(arrived - sentAt[push]);
                earliest = Math.Min(earliest, arrived);
                latest = Math.Max(latest, arrived);
            }
            if (latest == 0)
                continue;
            first.Add(earliest - sentAt[push]);
            last.Add(latest - sentAt[push]);
        }
        return
        [
            new($"push → seen on a stream p50 ({streams} streams)", every.PercentileMs(50), "ms", Target.Max(5)),
            new($"push → seen on a stream p99 ({streams} streams)", every.PercentileMs(99), "ms", Target.Max(25)),
            new("push → seen on the first stream p50", first.PercentileMs(50), "ms"),
            new("push → seen on all streams p50", last.PercentileMs(50), "ms"),
            new("push → seen on all streams p99", last.PercentileMs(99), "ms"),
            new("push answered p50 (POST /sync)", pushLatencies.PercentileMs(50), "ms"),
        ];
    }

    private static long Missing(List<Listener> listeners, int pushes) =>
        listeners.Sum(l => l.ArrivedAt.Take(pushes).Skip(WarmupPushes).Count(t => t == 0));

    /// <summary>One push every 1/rate seconds, each of one event whose uuid encodes its number.</summary>
    private static async Task<(long[] SentAt, Latencies Latencies)> PushAsync(IBenchClient pusher, int tag, int pushes, CancellationToken ct)
    {
        var sentAt = new long[pushes];
        var latencies = new Latencies();
        var body = pusher.NewBody(1, seed: 0);
        var answer = new ResponseBuffer();
        long? cursor = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / PushesPerSecond));
        for (var i = 0; i < pushes; i++)
        {
            await timer.WaitForNextTickAsync(ct);
            body.SetUuid(0, Listener.UuidOf(tag, i));
            sentAt[i] = Stopwatch.GetTimestamp();
            var pushed = await pusher.PushAsync(body, cursor, answer, ct);
            if (i >= WarmupPushes)
                latencies.Add(pushed.AnsweredAt - sentAt[i]);
            cursor = pushed.Cursor;
        }
        return (sentAt, latencies);
    }

    private static async Task WaitForDeliveryAsync(List<Listener> listeners, int pushes, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        while (listeners.Any(l => l.ArrivedAt[pushes - 1] == 0) && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(10, ct);
    }

    /// <summary>One open stream, noting when each pushed event arrives on it.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly LiveFeed _feed;
        private readonly byte[] _tag;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _reading = Task.CompletedTask;

        private Listener(LiveFeed feed, int tag, int pushes)
        {
            _feed = feed;
            _tag = System.Text.Encoding.ASCII.GetBytes(tag.ToString("x8", CultureInfo.InvariantCulture));
            ArrivedAt = new long[pushes];
        }

        /// <summary>Stopwatch timestamp at which push N arrived, 0 until it has.</summary>
        public long[] ArrivedAt { get; }

        /// <summary>Completes with the stream's first message (simple-sync's hello, the peer's first heartbeat).</summary>
        public Task Ready => _ready.Task;

        /// <summary>The uuid of push <paramref name="n"/>: the run's tag, then the number in the last group.</summary>
        public static Guid UuidOf(int tag, int n) =>
            Guid.Parse($"{tag:x8}-0000-7000-8000-{n:x12}", CultureInfo.InvariantCulture);

        public static async Task<Listener> OpenAsync(IBenchClient client, int tag, int pushes, CancellationToken ct)
        {
            var listener = new Listener(await client.OpenLiveFeedAsync(ct), tag, pushes);
            listener._reading = listener.ReadAsync(ct);
            return listener;
        }

        private async Task ReadAsync(CancellationToken ct)
        {
            try
            {
                var response = await _feed.Response;
                var stream = await response.Content.ReadAsStreamAsync(ct);
                await SseReader.ReadAsync(stream, _feed.Format.Delimiter, OnMessage, ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                // Closed at the end of the run.
            }
            catch (BenchException ex)
            {
                // The server refused the feed: the scenario fails on Ready with the reason.
                _ready.TrySetException(ex);
            }
            _ready.TrySetException(new BenchException("a stream ended before its first message"));
        }

        private void OnMessage(ReadOnlySpan<byte> message, long arrivedAt)
        {
            _ready.TrySetResult();
            if (!_feed.Format.CarriesEvents(message))
                return;
            var marker = _feed.Format.EventMarker.AsSpan();
            for (var at = message.IndexOf(marker); at >= 0; at = Next(message, at, marker))
            {
                var uuid = message.Slice(at + marker.Length, 36);
                if (!uuid[..8].SequenceEqual(_tag))
                    continue;
                if (System.Buffers.Text.Utf8Parser.TryParse(uuid[24..], out long n, out _, 'x') && n < ArrivedAt.Length && ArrivedAt[n] == 0)
                    Volatile.Write(ref ArrivedAt[n], arrivedAt);
            }
        }

        private static int Next(ReadOnlySpan<byte> message, int at, ReadOnlySpan<byte> marker)
        {
            var next = message[(at + 1)..].IndexOf(marker);
            return next < 0 ? -1 : at + 1 + next;
        }

        public async ValueTask DisposeAsync()
        {
            _feed.Dispose();
            await _reading;
        }
    }
}
