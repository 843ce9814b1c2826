namespace SimpleSync.LoadGen;

/// <summary>
/// Runs each chosen scenario the asked number of times on each store, one fresh server (or pair
/// of servers) per run. The stores take turns within each round, so they see the same noise
/// from other work on the machine.
/// </summary>
internal static class BenchRun
{
    public static async Task<IReadOnlyList<ScenarioRuns>> RunAsync(LoadGenOptions options, IReadOnlyList<Scenario> scenarios,
        string serverDll, CancellationToken ct)
    {
        await using var postgres = options.Stores.Any(s => s.IsPostgres()) ? await BenchPostgres.StartAsync(options.Postgres, ct) : null;
        var all = new List<ScenarioRuns>();
        foreach (var scenario in scenarios)
        {
            var runs = options.Stores.ToDictionary(store => store, _ => new List<ScenarioResult>());
            var failures = options.Stores.ToDictionary(store => store, _ => new List<string>());
            for (var run = 1; run <= options.Runs; run++)
            {
                foreach (var store in options.Stores)
                {
                    var context = new ScenarioContext(options, serverDll, scenario.Name, store, postgres, run, ct);
                    try
                    {
                        context.Log(scenario.Summary);
                        var result = await scenario.RunAsync(context);
                        runs[store].Add(result);
                        context.Log($"{result.Primary.Name}: {Report.Number(result.Primary.Value)} {result.Primary.Unit}");
                    }
                    catch (Exception ex) when (ex is BenchException or HttpRequestException or IOException or System.Data.Common.DbException
                        || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                    {
                        // One failed run does not lose the others' figures.
                        context.Log($"failed: {ex.Message}");
                        failures[store].Add(ex.Message);
                    }
                }
            }
            all.AddRange(options.Stores.Select(store => new ScenarioRuns(scenario, store, runs[store], failures[store])));
        }
        return all;
    }
}
