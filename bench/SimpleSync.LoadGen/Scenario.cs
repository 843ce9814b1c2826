using SimpleSync.LoadGen.Scenarios;

namespace SimpleSync.LoadGen;

/// <summary>One named load scenario: what it does, in a sentence, and how to run it once.</summary>
internal sealed record Scenario(string Name, string Summary, bool Optional, Func<ScenarioContext, Task<ScenarioResult>> RunAsync);

/// <summary>What a scenario run gets: the options, a way to start a fresh server, and where to report progress.</summary>
internal sealed class ScenarioContext(LoadGenOptions options, string serverDll, string scenario, int run, CancellationToken ct)
{
    public LoadGenOptions Options => options;

    public string Scenario => scenario;

    public int Run => run;

    public CancellationToken Cancellation => ct;

    /// <summary>Starts a server with the run's settings, plus <paramref name="settings"/> that only this scenario needs.</summary>
    public Task<BenchServer> StartServerAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(options.ServerEnvironment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        return BenchServer.StartAsync(serverDll, environment, ct);
    }

    /// <summary>Progress goes to stderr, so stdout holds only the report.</summary>
    public void Log(string message) => Console.Error.WriteLine($"[{scenario} #{run}] {message}");

    /// <summary>
    /// Lets the load already started run through the warm-up, then measures for the window:
    /// the server's CPU and memory over exactly the interval the operations are counted in.
    /// </summary>
    public async Task<(CpuSplit Cpu, MemorySample Memory)> MeasureAsync(BenchServer server, MeasureWindow window)
    {
        Log($"warming up for {options.Warmup.TotalSeconds:0} s, then measuring for {options.Window.TotalSeconds:0} s");
        await Task.Delay(options.Warmup, ct);
        window.Open();
        var cpu = new CpuMeter(server.Pid);
        var memory = new MemoryMeter(server.Pid);
        await Task.Delay(options.Window, ct);
        window.Close();
        return (cpu.Stop(), await memory.StopAsync());
    }

    /// <summary>The run's figures, with a note of what the server logged (it runs at level warning, so normally nothing).</summary>
    public ScenarioResult Result(BenchServer server, IReadOnlyList<Figure> figures, CpuSplit? cpu, MemorySample? memory, IReadOnlyList<string> notes)
    {
        var log = server.ServerLog;
        if (log.Count > 0)
            notes = [.. notes, $"the server logged {log.Count} warning or error lines, the first: {log[0]}"];
        return new(scenario, run, figures, cpu, memory, notes);
    }
}

/// <summary>Every scenario, in the order they run.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        PushScenario.Define("push-100", batch: 100, clients: 16, pullBack: true, target: 50_000),
        PushScenario.Define("push-100-nopull", batch: 100, clients: 16, pullBack: false, target: 50_000),
        PushScenario.Define("push-1", batch: 1, clients: 16, pullBack: true, target: 5_000),
        PullScenario.Define("pull-100k", events: 100_000, optional: false, timeTarget: 0.5),
        PullScenario.Define("pull-1m", events: 1_000_000, optional: true, timeTarget: null),
        StreamScenario.Define("stream-100", streams: 100),
        EmptyPullScenario.Define("pull-empty"),
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
