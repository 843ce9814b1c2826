namespace SimpleSync.LoadGen;

/// <summary>
/// Runs each chosen scenario the asked number of times on each store, one fresh server (or pair
/// of servers, or the peer) per run. The stores take turns within each round, so they see the
/// same noise from other work on the machine; a scenario of the machine runs once a round.
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
            var stores = StoresOf(scenario, options);
            var runs = stores.ToDictionary(store => store, _ => new List<ScenarioResult>());
            var failures = stores.ToDictionary(store => store, _ => new List<string>());
            for (var run = 1; run <= options.Runs; run++)
            {
                foreach (var store in stores)
                {
                    var context = new ScenarioContext(options, serverDll, scenario.Name, store.Kind, postgres, run, ct);
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
            all.AddRange(stores.Select(store => new ScenarioRuns(scenario, store.Kind, runs[store], failures[store])));
        }
        return all;
    }

    /// <summary>A store of a run, or none (a scenario of the machine); a record so it can key a dictionary.</summary>
    private sealed record Slot(StoreKind? Kind);

    private static List<Slot> StoresOf(Scenario scenario, LoadGenOptions options) =>
        scenario.Scope == ScenarioScope.Machine ? [new Slot(null)] : options.Stores.Select(s => new Slot(s)).ToList();
}
