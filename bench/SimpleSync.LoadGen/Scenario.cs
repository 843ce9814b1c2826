using SimpleSync.LoadGen.Peer;
using SimpleSync.LoadGen.Scenarios;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen;

/// <summary>One named load scenario: what it does, in a sentence, where it runs, and how to run it once.</summary>
internal sealed record Scenario(string Name, string Summary, bool Optional, Func<ScenarioContext, Task<ScenarioResult>> RunAsync,
    ScenarioScope Scope = ScenarioScope.EveryStore);

/// <summary>Where a scenario runs.</summary>
internal enum ScenarioScope
{
    /// <summary>On each store of --stores, the peer included, through <see cref="IBenchTarget"/>.</summary>
    EveryStore,

    /// <summary>Once a round, on no server: a figure of the machine itself.</summary>
    Machine,
}

/// <summary>What a scenario run gets: the options, the store, a way to start fresh servers, and where to report progress.</summary>
internal sealed class ScenarioContext(LoadGenOptions options, string serverDll, string scenario, StoreKind? store, BenchPostgres? postgres,
    int run, CancellationToken ct)
{
    public LoadGenOptions Options => options;

    public string Scenario => scenario;

    /// <summary>The store of this run; null for a scenario of the machine.</summary>
    public StoreKind? Store => store;

    public int Run => run;

    public CancellationToken Cancellation => ct;

    /// <summary>
    /// Starts the run's server (on PostgreSQL: one or two servers on a fresh database) with the run's
    /// settings, plus <paramref name="settings"/> that only this scenario needs.
    /// </summary>
    private async Task<BenchServer> StartServerAsync(IReadOnlyDictionary<string, string>? settings)
    {
        var kind = store ?? throw new InvalidOperationException($"{scenario} runs on no store");
        if (kind.IsPeer())
            throw new InvalidOperationException($"{scenario} runs on simple-sync only");
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        var database = kind.IsPostgres() ? await postgres!.CreateDatabaseAsync(ct) : null;
        return await BenchServer.StartAsync(serverDll, environment, database, kind.Servers(), ct);
    }

    /// <summary>
    /// The run's servers, whichever kind the store is: simple-sync's as above, or the peer (which
    /// takes none of simple-sync's <paramref name="settings"/>).
    /// </summary>
    public async Task<IBenchTarget> StartTargetAsync(IReadOnlyDictionary<string, string>? settings = null) =>
        store is { } kind && kind.IsPeer() ? await PeerServer.StartAsync(Log, ct) : await StartServerAsync(settings);

    /// <summary>Progress goes to stderr, so stdout holds only the report.</summary>
    public void Log(string message) => Console.Error.WriteLine($"[{scenario} {store?.Name() ?? "machine"} #{run}] {message}");

    /// <summary>
    /// Lets the load already started run through the warm-up, then measures for the window:
    /// the servers' CPU and memory over exactly the interval the operations are counted in, and
    /// on PostgreSQL its write transactions.
    /// </summary>
    public async Task<(CpuSplit Cpu, MemorySample Memory, DatabaseActivity? Database)> MeasureAsync(IBenchTarget server, MeasureWindow window,
        TimeSpan? warmup = null)
    {
        var wait = warmup ?? options.Warmup;
        Log($"warming up for {wait.TotalSeconds:0} s, then measuring for {options.Window.TotalSeconds:0} s");
        await Task.Delay(wait, ct);
        window.Open();
        var cpu = server.CpuMeter();
        var memory = server.MemoryMeter();
        var database = server.Database is { } db ? await DatabaseActivity.StartAsync(db, ct) : null;
        await Task.Delay(options.Window, ct);
        window.Close();
        var split = cpu.Stop();
        var sample = await memory.StopAsync();
        return (split, sample, database is null ? null : await database.StopAsync(ct));
    }

    /// <summary>The run's figures, with a note of what the server logged (it runs at level warning, so normally nothing).</summary>
    public ScenarioResult Result(IBenchTarget server, IReadOnlyList<Figure> figures, CpuSplit? cpu, MemorySample? memory, IReadOnlyList<string> notes)
    {
        if (server is PeerServer peer)
            notes = [peer.Description, .. notes];
        var log = server.ServerLog;
        if (log.Count > 0)
            notes = [.. notes, $"the server logged {log.Count} warning or error lines, the first: {log[0]}"];
        return new(scenario, run, figures, cpu, memory, notes);
    }
}

/// <summary>
/// PostgreSQL's side of a measured window: write transactions (transaction ids assigned) a
/// second, and events stored per write transaction, which is the servers' group commit.
/// </summary>
internal sealed record DatabaseActivity(double CommitsPerSecond, double EventsPerCommit)
{
    public static async Task<Started> StartAsync(BenchDatabase database, CancellationToken ct)
    {
        var (xids, head) = await database.CountersAsync(ct);
        return new Started(database, xids, head, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    internal sealed record Started(BenchDatabase Database, long Xids, long Head, long At)
    {
        public async Task<DatabaseActivity> StopAsync(CancellationToken ct)
        {
            var (xids, head) = await Database.CountersAsync(ct);
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(At).TotalSeconds;
            var commits = xids - Xids;
            return new DatabaseActivity(commits / seconds, commits == 0 ? 0 : (double)(head - Head) / commits);
        }
    }
}

/// <summary>Every scenario, in the order they run.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        PhysicalScenario.Define("physical"),
        PushScenario.Define("push-100", batch: 100, clients: 16, pullBack: true, target: 50_000),
        PushScenario.Define("push-100-nopull", batch: 100, clients: 16, pullBack: false, target: 50_000),
        PushScenario.Define("push-1", batch: 1, clients: 16, pullBack: true, target: 5_000),
        PullScenario.Define("pull-100k", events: 100_000, optional: false, timeTarget: 0.5),
        PullScenario.Define("pull-1m", events: 1_000_000, optional: true, timeTarget: null),
        StreamScenario.Define("stream-100", streams: 100),
        EmptyPullScenario.Define("pull-empty"),
        StartupScenario.Define("startup"),
    ];

    /// <summary>The scenarios the options ask for: those named, else every one that is not optional (plus pull-1m with --history-1m).</summary>
    public static IReadOnlyList<Scenario> Select(LoadGenOptions options)
    {
        if (options.Scenarios.Count == 0)
            return All.Where(s => !s.Optional || (options.LargeHistory && s.Name == "pull-1m")).ToList();
        var unknown = options.Scenarios.Where(n => All.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"unknown scenario '{unknown[0]}'; the scenarios are {string.Join(", ", All.Select(s => s.Name))}");
        return All.Where(s => options.Scenarios.Contains(s.Name)).ToList();
    }
}
