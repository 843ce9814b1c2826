using SimpleSync.LoadGen;
using SimpleSync.Testing;

// The load generator: start the real server per scenario run, drive it over HTTP on 127.0.0.1,
// print figures against their targets. See docs/benchmarks.md.
LoadGenOptions options;
IReadOnlyList<Scenario> scenarios;
try
{
    options = LoadGenOptions.Parse(args);
    scenarios = ScenarioCatalog.Select(options);
}
catch (UsageException ex)
{
    if (ex.Reason is not null)
        Console.Error.WriteLine($"loadgen: {ex.Reason}");
    Console.Error.WriteLine(LoadGenOptions.Usage);
    Console.Error.WriteLine($"Scenarios: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))}");
    return ex.Reason is null ? 0 : 2;
}

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Stop in order (servers get SIGTERM, temp directories are removed) rather than die here.
    e.Cancel = true;
    interrupted.Cancel();
};

try
{
    var serverDll = ServerBuild.Locate(options);
    var machine = Machine.Describe(serverDll);
    if (machine.Configuration != "Release")
        Console.Error.WriteLine($"loadgen: warning: this is a {machine.Configuration} build; the targets are for Release (dotnet run -c Release)");
    Console.Error.WriteLine($"loadgen: {machine}; server {serverDll}");
    var results = await BenchRun.RunAsync(options, scenarios, serverDll, interrupted.Token);
    Report.Print(Console.Out, machine, results);
    if (options.JsonFile is { } file)
        Report.WriteJson(file, machine, results);
    return results.All(r => r.Failures.Count == 0) ? 0 : 1;
}
catch (BenchException ex)
{
    Console.Error.WriteLine($"loadgen: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.Error.WriteLine("loadgen: interrupted");
    return 130;
}
finally
{
    RunningServers.KillAll();
}
