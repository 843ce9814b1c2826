using System.Diagnostics;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// What a deploy costs: a fresh server process, the time to its first answer, then the push-1
/// load from the first second with no warm-up, counted second by second. The first seconds'
/// throughput against the steady state after <see cref="SteadyFrom"/> shows how long the JIT and
/// the caches take to settle, which a benchmark with a warm-up never sees.
/// </summary>
internal static class StartupScenario
{
    private const int Clients = 16;
    private const int FirstSeconds = 10;

    /// <summary>Where the steady window starts, in seconds of load (a full run; --quick measures less).</summary>
    private const int SteadyFrom = 50;

    public static Scenario Define(string name) => new(
        name,
        $"a fresh server: time to its first answer; then {Clients} clients push 1-event batches from the first second, "
            + $"the first {FirstSeconds} s against a steady {FirstSeconds} s window {SteadyFrom} s in",
        true,
        RunAsync);

    private static async Task<ScenarioResult> RunAsync(ScenarioContext ctx)
    {
        var ct = ctx.Cancellation;
        await using var server = await ctx.StartTargetAsync();
        var users = await server.CreateClientsAsync("starter", Clients, ct);
        var steadyFrom = ctx.Options.Quick ? 20 : SteadyFrom;
        var perSecond = new long[steadyFrom + FirstSeconds];

        ctx.Log($"pushing from the first second for {perSecond.Length} s");
        var started = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var running = users.Select((user, i) => PushAsync(user, user.NewBody(1, seed: i), started, perSecond, stop.Token, ct)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(steadyFrom), ct);
        var cpu = server.CpuMeter();
        await Task.Delay(TimeSpan.FromSeconds(FirstSeconds), ct);
        var steadyCpu = cpu.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var first = perSecond[..FirstSeconds].Sum() / (double)FirstSeconds;
        var steady = perSecond[steadyFrom..].Sum() / (double)FirstSeconds;
        List<Figure> figures =
        [
            // First: the figure the better of two runs is chosen by.
            new($"events stored, first {FirstSeconds} s of load", first, "events/s"),
            new("process start to first answer", server.FirstAnswer.TotalMilliseconds, "ms"),
            new($"events stored, {steadyFrom}–{steadyFrom + FirstSeconds} s of load", steady, "events/s"),
            new($"first {FirstSeconds} s against steady", first / steady, "×"),
        ];
        var notes = new List<string>
        {
            $"events stored each second of load: {string.Join(", ", perSecond)}",
            "users are created (and logged in) after the first answer and before the load, so the first push is the push path's first",
        };
        return ctx.Result(server, figures, steadyCpu, null, notes);
    }

    private static async Task PushAsync(IBenchClient client, PushBody body, long started, long[] perSecond, CancellationToken stop,
        CancellationToken ct)
    {
        var answer = new ResponseBuffer();
        long? cursor = 0;
        while (!stop.IsCancellationRequested)
        {
            body.Renew();
            var pushed = await client.PushAsync(body, cursor, answer, ct);
            cursor = pushed.Cursor;
            var second = (int)((pushed.AnsweredAt - started) / Stopwatch.Frequency);
            if (second < perSecond.Length)
                Interlocked.Add(ref perSecond[second], pushed.Accepted);
        }
    }
}
