using System.Diagnostics;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// Concurrent clients, each its own user, push batches with <c>POST /sync</c> back to back for a
/// fixed time. With pull-back each client sends the cursor of its previous answer, as the SDKs
/// do, so every answer also carries what the other clients pushed meanwhile; without it the
/// cursor is past the head and the answer holds only the results, which isolates the write path.
/// With two servers, the clients alternate between them. On the peer a push is <c>_bulk_docs</c>,
/// and with pull-back it is followed by <c>_changes</c> since the client's last seq, as a CouchDB
/// client syncs; the latency covers both requests.
/// </summary>
internal static class PushScenario
{
    public static Scenario Define(string name, int batch, int clients, bool pullBack, double target) => new(
        name,
        $"{clients} clients push {batch}-event batches with POST /sync, back to back; " +
        (pullBack ? "each sends its last cursor, so answers carry the others' new events (as the SDKs sync)"
                  : "cursor past the head, so answers carry results only (write path alone)"),
        false,
        ctx => RunAsync(ctx, batch, clients, pullBack, target));

    private static async Task<ScenarioResult> RunAsync(ScenarioContext ctx, int batch, int clients, bool pullBack, double target)
    {
        var ct = ctx.Cancellation;
        await using var server = await ctx.StartTargetAsync();
        ctx.Log($"creating {clients} users");
        var users = await server.CreateClientsAsync("pusher", clients, ct);
        var window = new MeasureWindow();
        await using var observer = ctx.Options.ObserveCommits ? await server.ObserveCommitsAsync(window, ct) : null;

        var pushers = users.Select((client, i) => new Pusher(client, client.NewBody(batch, seed: i * batch), pullBack, window)).ToArray();
        using var stop = new CancellationTokenSource();
        var running = pushers.Select(p => p.RunAsync(stop.Token, ct)).ToArray();
        var (cpu, memory, database) = await ctx.MeasureAsync(server, window);
        await stop.CancelAsync();
        await Task.WhenAll(running);

        var notes = new List<string> { $"{pushers[0].Body.BytesPerEvent:0} bytes of JSON an event; {pushers.Sum(p => p.Pushes)} pushes measured" };
        if (pushers.Sum(p => p.NotAccepted) is > 0 and var refused)
            notes.Add($"{refused} pushed events were not accepted (rejected or duplicate)");
        var figures = Figures(pushers, window.Seconds, observer, database, pullBack, target);
        figures.Add(new("server CPU per push", ServerCpuMicroseconds(cpu, window.Seconds, pushers.Sum(p => p.Pushes)), "µs",
            batch == 1 ? Target.Max(200) : null));
        return ctx.Result(server, figures, cpu, memory, notes);
    }

    private static List<Figure> Figures(Pusher[] pushers, double seconds, CommitObserver? observer, DatabaseActivity? database,
        bool pullBack, double target)
    {
        var latencies = new Latencies();
        foreach (var pusher in pushers)
            latencies.AddRange(pusher.Latencies);
        var pushes = pushers.Sum(p => p.Pushes);
        var figures = new List<Figure>
        {
            new("events stored", pushers.Sum(p => p.Events) / seconds, "events/s", Target.Min(target)),
            new("pushes answered", pushes / seconds, "pushes/s"),
            new("push latency p50", latencies.PercentileMs(50), "ms"),
            new("push latency p99", latencies.PercentileMs(99), "ms"),
        };
        if (pullBack)
            figures.Add(new("events carried back per answer", (double)pushers.Sum(p => p.Returned) / pushes, "events"));
        if (observer is not null)
        {
            figures.Add(new("commits", observer.Commits / seconds, "commits/s"));
            figures.Add(new("events per commit", observer.Commits == 0 ? 0 : (double)observer.Events / observer.Commits, "events"));
        }
        if (database is not null)
        {
            figures.Add(new("PostgreSQL write transactions", database.CommitsPerSecond, "commits/s"));
            figures.Add(new("events per write transaction", database.EventsPerCommit, "events"));
        }
        return figures;
    }

    /// <summary>The servers' CPU time (all their processes and threads) per operation in the window, in microseconds.</summary>
    public static double ServerCpuMicroseconds(CpuSplit cpu, double seconds, long operations) =>
        operations == 0 ? double.NaN : cpu.ServerPercent / 100 * seconds / operations * 1e6;

    /// <summary>One client: push, wait for the answer, push again.</summary>
    private sealed class Pusher(IBenchClient client, PushBody body, bool pullBack, MeasureWindow window)
    {
        public PushBody Body => body;
        public Latencies Latencies { get; } = new();
        public long Events { get; private set; }
        public long Pushes { get; private set; }
        public long Returned { get; private set; }
        public long NotAccepted { get; private set; }

        /// <param name="stop">Ends the loop after the push in flight.</param>
        /// <param name="ct">Abandons the push in flight (Ctrl+C).</param>
        public async Task RunAsync(CancellationToken stop, CancellationToken ct)
        {
            var answer = new ResponseBuffer();
            long? cursor = pullBack ? 0 : null;
            while (!stop.IsCancellationRequested)
            {
                body.Renew();
                var started = Stopwatch.GetTimestamp();
                var pushed = await client.PushAsync(body, cursor, answer, ct);
                var done = pushed.AnsweredAt;
                NotAccepted += body.Count - pushed.Accepted;
                cursor = pushed.Cursor;
                if (!window.Contains(done))
                    continue;
                Latencies.Add(done - started);
                Events += pushed.Accepted;
                Pushes++;
                if (pullBack)
                    Returned += client.CountReturned(answer);
            }
        }
    }
}
