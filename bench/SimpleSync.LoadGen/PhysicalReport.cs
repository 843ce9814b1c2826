namespace SimpleSync.LoadGen;

/// <summary>The figures of the machine itself (the physical scenario), printed after the scenarios they bound.</summary>
internal static class PhysicalReport
{
    public static void Print(TextWriter output, IReadOnlyList<ScenarioRuns> machine)
    {
        foreach (var scenario in machine)
        {
            output.WriteLine();
            output.WriteLine($"The physical limit on this machine in this run ({scenario.Scenario.Name}: SQLite in the load generator, " +
                "the server's schema and pragmas, no server):");
            output.WriteLine();
            output.WriteLine("| figure | result |");
            output.WriteLine("|---|---|");
            if (scenario.Best is not { } best)
            {
                output.WriteLine($"| – | failed: {scenario.Failures.FirstOrDefault()} |");
                continue;
            }
            foreach (var figure in best.Figures)
                output.WriteLine($"| {figure.Name} | {Report.Number(figure.Value)} {figure.Unit} |");
        }
    }
}
