using System.Diagnostics;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// The most common request of a synced app: "anything new?" when nothing is. One client asks
/// <c>GET /sync?cursor=&lt;head&gt;</c> of a 10,000-event history back to back, one request at a
/// time. Then, for comparison with the peer's figure, the same client pulls exactly one new
/// event after each of a series of single-event pushes (only the pull is timed). With two
/// servers the pushes go to the first and the pulls to the second, so each pull must see a
/// commit made by the other server. On the peer the pulls are <c>_changes?since=&lt;seq&gt;&amp;include_docs=true</c>.
/// </summary>
internal static class EmptyPullScenario
{
    private const int History = 10_000;

    public static Scenario Define(string name) => new(
        name,
        $"one client, one request at a time: GET /sync?cursor=<head> of a {History:N0}-event history (nothing new); then 1-event incremental pulls",
        false,
        RunAsync);

    private static async Task<ScenarioResult> RunAsync(ScenarioContext ctx)
    {
        var ct = ctx.Cancellation;
        await using var server = await ctx.StartTargetAsync();
        var user = (await server.CreateClientsAsync("reader", 1, ct))[0];
        var answer = new ResponseBuffer();
        var seed = user.NewBody(History, seed: 0);
        var head = (await user.PushAsync(seed, cursor: 0, answer, ct)).Cursor!.Value;

        var window = new MeasureWindow();
        var latencies = new Latencies();
        using var stop = new CancellationTokenSource();
        var pulling = PullNothingAsync(user, head, window, latencies, stop.Token, ct);
        var (cpu, memory, _) = await ctx.MeasureAsync(server, window);
        await stop.CancelAsync();
        await pulling;

        ctx.Log("1-event incremental pulls");
        var oneEvent = await PullOneAsync(user.OnServer(0), user.OnServer(1), head, ctx.Options.Quick ? 50 : 300, ct);
        List<Figure> figures =
        [
            new("GET /sync, nothing new, p50", latencies.PercentileMs(50), "ms", Target.Max(1)),
            new("GET /sync, nothing new, p99", latencies.PercentileMs(99), "ms"),
            new("GET /sync, nothing new, one client", latencies.Count / window.Seconds, "requests/s"),
            new("GET /sync, nothing new, server CPU per request", PushScenario.ServerCpuMicroseconds(cpu, window.Seconds, latencies.Count), "µs",
                Target.Max(50)),
            new("GET /sync, 1 new event, p50", oneEvent.PercentileMs(50), "ms"),
            new("GET /sync, 1 new event, p99", oneEvent.PercentileMs(99), "ms"),
        ];
        return ctx.Result(server, figures, cpu, memory, [$"{latencies.Count} empty pulls measured, {oneEvent.Count} 1-event pulls"]);
    }

    private static async Task PullNothingAsync(IBenchClient user, long head, MeasureWindow window, Latencies latencies,
        CancellationToken stop, CancellationToken ct)
    {
        var answer = new ResponseBuffer();
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            var (events, _) = await user.PullAsync(head, answer, ct);
            var done = Stopwatch.GetTimestamp();
            if (events != 0)
                throw new BenchException($"a pull after the head ({head}) returned events: {answer.Text()}");
            if (window.Contains(done))
                latencies.Add(done - started);
        }
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
