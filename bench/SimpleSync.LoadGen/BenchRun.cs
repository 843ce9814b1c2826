namespace SimpleSync.LoadGen;

/// <summary>Runs each chosen scenario the asked number of times, one fresh server per run.</summary>
internal static class BenchRun
{
    public static async Task<IReadOnlyList<ScenarioRuns>> RunAsync(LoadGenOptions options, IReadOnlyList<Scenario> scenarios,
        string serverDll, CancellationToken ct)
    {
        var all = new List<ScenarioRuns>();
        foreach (var scenario in scenarios)
        {
            var runs = new List<ScenarioResult>();
            var failures = new List<string>();
            for (var run = 1; run <= options.Runs; run++)
            {
                var context = new ScenarioContext(options, serverDll, scenario.Name, run, ct);
                try
                {
                    context.Log(scenario.Summary);
                    var result = await scenario.RunAsync(context);
                    runs.Add(result);
                    context.Log($"{result.Primary.Name}: {Report.Number(result.Primary.Value)} {result.Primary.Unit}");
                }
                catch (Exception ex) when (ex is BenchException or HttpRequestException or IOException
                    || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    // One failed run does not lose the others' figures.
                    context.Log($"failed: {ex.Message}");
                    failures.Add(ex.Message);
                }
            }
            all.Add(new ScenarioRuns(scenario, runs, failures));
        }
        return all;
    }
}
