using System.Diagnostics;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// The most common request of a synced app: "anything new?" when nothing is, on a
/// 10,000-event history: <c>GET /sync?cursor=&lt;head&gt;</c>. First one client asks back to back,
/// one request at a time (its latency); then <see cref="Busy"/> clients do, each one request at
/// a time, so the server never idles between requests and its CPU per request is the work of
/// one request, not the runtime's waiting for the next (a lone client's figure is mostly the
/// latter: idle worker threads spin before they sleep); then the same clients ask the cheapest
/// request the server answers (<see cref="IBenchClient.PingAsync"/>), the floor under any
/// request's CPU. Last, for comparison with the peer's figure, one client pulls exactly one new
/// event after each of a series of single-event pushes (only the pull is timed). With two
/// servers the pushes go to the first and the pulls to the second, so each pull must see a
/// commit made by the other server. On the peer the pulls are <c>_changes?since=&lt;seq&gt;&amp;include_docs=true</c>.
/// </summary>
internal static class EmptyPullScenario
{
    private const int History = 10_000;

    /// <summary>Clients asking at once when the server is kept busy, as many as in the push scenarios.</summary>
    private const int Busy = 16;

    /// <summary>The later windows need little warm-up: the server is warm from the lone client's pulls.</summary>
    private static readonly TimeSpan ShortWarmup = TimeSpan.FromSeconds(3);

    public static Scenario Define(string name) => new(
        name,
        $"GET /sync?cursor=<head> of a {History:N0}-event history (nothing new): one client, then {Busy}, each one request at a time; the cheapest request; 1-event incremental pulls",
        false,
        RunAsync);

    private static async Task<ScenarioResult> RunAsync(ScenarioContext ctx)
    {
        var ct = ctx.Cancellation;
        await using var server = await ctx.StartTargetAsync();
        var users = await server.CreateClientsAsync("reader", Busy, ct);
        var user = users[0];
        var seed = user.NewBody(History, seed: 0);
        var head = (await user.PushAsync(seed, cursor: 0, new ResponseBuffer(), ct)).Cursor!.Value;
        Func<ResponseBuffer, Task> PullNothing(IBenchClient client) => async answer =>
        {
            var (events, _) = await client.PullAsync(head, answer, ct);
            if (events != 0)
                throw new BenchException($"a pull after the head ({head}) returned events: {answer.Text()}");
        };

        var alone = await BackToBackAsync(ctx, server, null, [PullNothing(user)]);
        ctx.Log($"{Busy} clients");
        var busy = await BackToBackAsync(ctx, server, ShortWarmup, users.Select(PullNothing).ToArray());
        ctx.Log($"the cheapest request, {Busy} clients");
        var floor = await BackToBackAsync(ctx, server, ShortWarmup, users.Select(u => (Func<ResponseBuffer, Task>)(a => u.PingAsync(a, ct))).ToArray());

        ctx.Log("1-event incremental pulls");
        var oneEvent = await PullOneAsync(user.OnServer(0), user.OnServer(1), head, ctx.Options.Quick ? 50 : 300, ct);
        List<Figure> figures =
        [
            new("GET /sync, nothing new, p50", alone.Latencies.PercentileMs(50), "ms", Target.Max(1)),
            new("GET /sync, nothing new, p99", alone.Latencies.PercentileMs(99), "ms"),
            new("GET /sync, nothing new, one client", alone.PerSecond, "requests/s"),
            new("GET /sync, nothing new, one client, server CPU per request", alone.CpuPerRequest, "µs"),
            new($"GET /sync, nothing new, {Busy} clients", busy.PerSecond, "requests/s"),
            new($"GET /sync, nothing new, {Busy} clients, server CPU per request", busy.CpuPerRequest, "µs", Target.Max(50)),
            new($"cheapest request (no token, no storage), {Busy} clients", floor.PerSecond, "requests/s"),
            new($"cheapest request, {Busy} clients, server CPU per request", floor.CpuPerRequest, "µs"),
            new("GET /sync, 1 new event, p50", oneEvent.PercentileMs(50), "ms"),
            new("GET /sync, 1 new event, p99", oneEvent.PercentileMs(99), "ms"),
        ];
        return ctx.Result(server, figures, busy.Cpu, alone.Memory,
        [
            $"{alone.Latencies.Count} empty pulls by one client, {busy.Latencies.Count} by {Busy}, {floor.Latencies.Count} cheapest requests, {oneEvent.Count} 1-event pulls",
        ]);
    }

    private sealed record BackToBack(Latencies Latencies, double Seconds, CpuSplit Cpu, MemorySample Memory)
    {
        public double PerSecond => Latencies.Count / Seconds;

        public double CpuPerRequest => PushScenario.ServerCpuMicroseconds(Cpu, Seconds, Latencies.Count);
    }

    /// <summary>
    /// Each client sends one request after another, each when its last was answered, until a
    /// measured window has passed; the latencies of those answered inside the window are kept.
    /// </summary>
    private static async Task<BackToBack> BackToBackAsync(ScenarioContext ctx, IBenchTarget server, TimeSpan? warmup,
        IReadOnlyList<Func<ResponseBuffer, Task>> clients)
    {
        var window = new MeasureWindow();
        using var stop = new CancellationTokenSource();
        var sending = clients.Select(request => Task.Run(async () =>
        {
            var answer = new ResponseBuffer();
            var latencies = new Latencies();
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                await request(answer);
                var done = Stopwatch.GetTimestamp();
                if (window.Contains(done))
                    latencies.Add(done - started);
            }
            return latencies;
        }, ctx.Cancellation)).ToArray();
        var (cpu, memory, _) = await ctx.MeasureAsync(server, window, warmup);
        await stop.CancelAsync();
        var all = new Latencies();
        foreach (var latencies in await Task.WhenAll(sending))
            all.AddRange(latencies);
        return new BackToBack(all, window.Seconds, cpu, memory);
    }

    /// <summary>Push one event (its answer carries no events), then time the pull that fetches it.</summary>
    private static async Task<Latencies> PullOneAsync(IBenchClient pusher, IBenchClient puller, long head, int count, CancellationToken ct)
    {
        var latencies = new Latencies();
        var body = pusher.NewBody(1, seed: 0);
        var answer = new ResponseBuffer();
        var cursor = head;
        for (var i = 0; i < count; i++)
        {
            body.Renew();
            await pusher.PushAsync(body, cursor: null, answer, ct);
            var started = Stopwatch.GetTimestamp();
            var (events, next) = await puller.PullAsync(cursor, answer, ct);
            var done = Stopwatch.GetTimestamp();
            if (events != 1)
                throw new BenchException($"an incremental pull after one push did not return one event: {answer.Text()}");
            cursor = next;
            // The first few pulls warm up the path that writes events.
            if (i >= 10)
                latencies.Add(done - started);
        }
        return latencies;
    }
}
