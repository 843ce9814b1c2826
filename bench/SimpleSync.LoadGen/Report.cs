using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SimpleSync.LoadGen;

/// <summary>Every run of one scenario on one store (none for a scenario of the machine), or why it could not run.</summary>
internal sealed record ScenarioRuns(Scenario Scenario, StoreKind? Store, IReadOnlyList<ScenarioResult> Runs, IReadOnlyList<string> Failures)
{
    /// <summary>The run reported in the table: the best by its primary figure (other work shares the machine).</summary>
    public ScenarioResult? Best => Runs.Count == 0 ? null : Runs.MaxBy(r => r.Score);
}

/// <summary>Prints the results as a Markdown table with one line of diagnostics per scenario, and writes them as JSON.</summary>
internal static class Report
{
    public static void Print(TextWriter output, Machine machine, IReadOnlyList<ScenarioRuns> all)
    {
        output.WriteLine();
        output.WriteLine($"Machine: {machine}");
        output.WriteLine();
        var onStores = all.Where(s => s.Store is not null).ToList();
        var stores = onStores.Select(s => s.Store!.Value).Distinct().ToList();
        if (stores.Count > 1)
            PrintSideBySide(output, stores, onStores);
        else if (onStores.Count > 0)
            PrintTable(output, onStores);
        PhysicalReport.Print(output, all.Where(s => s.Store is null).ToList());
        output.WriteLine();
        foreach (var scenario in all)
            PrintDiagnostics(output, scenario, stores.Count > 1);
    }

    private static void PrintTable(TextWriter output, IReadOnlyList<ScenarioRuns> all)
    {
        output.WriteLine("| scenario | figure | result | target | verdict |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var scenario in all)
        {
            if (scenario.Best is not { } best)
            {
                output.WriteLine($"| {scenario.Scenario.Name} | – | failed | | {scenario.Failures.FirstOrDefault()} |");
                continue;
            }
            foreach (var figure in best.Figures)
                output.WriteLine($"| {scenario.Scenario.Name} | {figure.Name} | {Number(figure.Value)} {figure.Unit} | {TargetText(figure.Target)} | {Verdict(figure)} |");
        }
    }

    /// <summary>
    /// One row a figure, one column a store: the best run of each, with the verdict when there is a
    /// target. With the peer among the stores, one more column for each simple-sync store says how
    /// many times faster it was (<see cref="PeerRatio"/>).
    /// </summary>
    private static void PrintSideBySide(TextWriter output, List<StoreKind> stores, IReadOnlyList<ScenarioRuns> all)
    {
        var peer = StoreKind.Pouchdb;
        var compared = stores.Contains(peer) ? stores.Where(s => !s.IsPeer()).ToList() : [];
        var ratios = compared.Select(s => $"{s.Name()} ÷ {peer.Name()}").ToList();
        output.WriteLine($"| scenario | figure | {string.Join(" | ", stores.Select(s => s.Name()).Concat(ratios))} | target |");
        output.WriteLine($"|---|---|{string.Concat(stores.Concat(compared).Select(_ => "---|"))}---|");
        foreach (var scenario in all.GroupBy(s => s.Scenario.Name))
        {
            var best = stores.Select(store => scenario.FirstOrDefault(s => s.Store == store)?.Best).ToList();
            var names = best.SelectMany(b => b?.Figures ?? []).Select(f => f.Name).Distinct().ToList();
            if (names.Count == 0)
                output.WriteLine($"| {scenario.Key} | – | {string.Join(" | ", stores.Select(_ => "failed").Concat(compared.Select(_ => "")))} | |");
            foreach (var name in names)
            {
                var figures = best.Select(b => b?.Figures.FirstOrDefault(f => f.Name == name)).ToList();
                var cells = figures.Select((f, i) => f is not null ? Cell(f) : best[i] is null ? "failed" : "–");
                var ratioCells = compared.Select(s => PeerRatio(figures[stores.IndexOf(s)], figures[stores.IndexOf(peer)]));
                output.WriteLine($"| {scenario.Key} | {name} | {string.Join(" | ", cells.Concat(ratioCells))} | {TargetText(figures.FirstOrDefault(f => f is not null)?.Target)} |");
            }
        }
        if (compared.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"÷ {peer.Name()}: how many times faster simple-sync was than the peer in the same run: a rate divided by the peer's, " +
                "or the peer's time divided by simple-sync's; above 1 simple-sync is ahead.");
        }
    }

    /// <summary>
    /// How many times better the figure is than the peer's: rates (unit "…/s") divided by the
    /// peer's, times (s, ms) the other way round; nothing for sizes and counts.
    /// </summary>
    private static string PeerRatio(Figure? ours, Figure? peer)
    {
        if (ours is null || peer is null || double.IsNaN(ours.Value) || double.IsNaN(peer.Value) || ours.Value <= 0 || peer.Value <= 0)
            return "";
        double? ratio = ours.Unit.EndsWith("/s", StringComparison.Ordinal) ? ours.Value / peer.Value
            : ours.Unit is "s" or "ms" ? peer.Value / ours.Value
            : null;
        return ratio is { } r ? $"{Number(r)}×" : "";
    }

    private static string Cell(Figure figure) =>
        $"{Number(figure.Value)} {figure.Unit}" + (figure.Target is null ? "" : $" ({Verdict(figure)})");

    private static void PrintDiagnostics(TextWriter output, ScenarioRuns scenario, bool naming)
    {
        var store = naming && scenario.Store is { } kind ? $" [{kind.Name()}]" : "";
        output.WriteLine($"{scenario.Scenario.Name}{store}: {scenario.Scenario.Summary}.");
        if (scenario.Best is { } best)
        {
            var runs = string.Join(" / ", scenario.Runs.Select(r => Number(r.Primary.Value)));
            output.WriteLine($"  runs ({best.Primary.Name}, {best.Primary.Unit}): {runs}; best shown");
            if (best.Cpu is { } cpu && scenario.Store is null)
                output.WriteLine($"  CPU (% of one core, {Environment.ProcessorCount * 100} % in all): load generator (SQLite in it) {cpu.LoadGenPercent:0}, other processes {cpu.OtherPercent:0}");
            else if (best.Cpu is { } split && scenario.Store is { } onStore)
                output.WriteLine($"  CPU (% of one core, {Environment.ProcessorCount * 100} % in all): server {split.ServerPercent:0}" +
                    (onStore.Servers() > 1 ? $" ({onStore.Servers()} processes)" : "") +
                    (split.DatabasePercent is { } database ? $", PostgreSQL {database:0}" : "") +
                    $", load generator {split.LoadGenPercent:0}, other processes {split.OtherPercent:0}; busiest server thread {split.BusiestServerThreadPercent:0}");
            if (best.Memory is { } memory)
                output.WriteLine($"  server RSS: {memory.BeforeMb:0} MB before, {memory.PeakMb:0} MB peak, {memory.AfterMb:0} MB after");
            foreach (var note in best.Notes)
                output.WriteLine($"  {note}");
        }
        foreach (var failure in scenario.Failures)
            output.WriteLine($"  failed run: {failure}");
    }

    public static string Number(double value) => double.IsNaN(value) ? "–"
        : Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string TargetText(Target? target) =>
        target is null ? "" : $"{(target.AtLeast ? "≥" : "≤")} {Number(target.Limit)}";

    private static string Verdict(Figure figure)
    {
        if (figure.Target is not { } target)
            return "";
        if (double.IsNaN(figure.Value))
            return "no data";
        var margin = target.Margin(figure.Value);
        var percent = -margin * 100;
        return target.IsMet(figure.Value) ? "met" : $"missed by {percent.ToString(percent < 10 ? "0.0" : "0", CultureInfo.InvariantCulture)}%";
    }

    public static void WriteJson(string file, Machine machine, IReadOnlyList<ScenarioRuns> all)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        using var stream = File.Create(file);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartObject("machine");
        json.WriteNumber("cores", machine.Cores);
        json.WriteString("cpu", machine.CpuModel);
        json.WriteNumber("memoryGb", Math.Round(machine.MemoryGb, 1));
        json.WriteString("os", machine.Os);
        json.WriteString("runtime", machine.Runtime);
        json.WriteString("configuration", machine.Configuration);
        json.WriteString("commit", machine.Commit);
        json.WriteString("at", machine.At);
        json.WriteEndObject();
        json.WriteStartArray("scenarios");
        foreach (var scenario in all)
            WriteScenario(json, scenario);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteScenario(Utf8JsonWriter json, ScenarioRuns scenario)
    {
        json.WriteStartObject();
        json.WriteString("name", scenario.Scenario.Name);
        if (scenario.Store is { } store)
            json.WriteString("store", store.Name());
        else
            json.WriteNull("store");
        json.WriteString("summary", scenario.Scenario.Summary);
        json.WriteStartArray("runs");
        foreach (var run in scenario.Runs)
            WriteRun(json, run, ReferenceEquals(run, scenario.Best));
        json.WriteEndArray();
        json.WriteStartArray("failures");
        foreach (var failure in scenario.Failures)
            json.WriteStringValue(failure);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter json, ScenarioResult run, bool best)
    {
        json.WriteStartObject();
        json.WriteNumber("run", run.Run);
        json.WriteBoolean("best", best);
        json.WriteStartArray("figures");
        foreach (var figure in run.Figures)
            WriteFigure(json, figure);
        json.WriteEndArray();
        if (run.Cpu is { } cpu)
        {
            json.WriteStartObject("cpuPercentOfOneCore");
            json.WriteNumber("server", Math.Round(cpu.ServerPercent, 1));
            json.WriteNumber("loadGenerator", Math.Round(cpu.LoadGenPercent, 1));
            json.WriteNumber("other", Math.Round(cpu.OtherPercent, 1));
            json.WriteNumber("busiestServerThread", Math.Round(cpu.BusiestServerThreadPercent, 1));
            if (cpu.DatabasePercent is { } database)
                json.WriteNumber("postgres", Math.Round(database, 1));
            json.WriteEndObject();
        }
        if (run.Memory is { } memory)
        {
            json.WriteStartObject("serverRssMb");
            json.WriteNumber("before", Math.Round(memory.BeforeMb, 1));
            json.WriteNumber("peak", Math.Round(memory.PeakMb, 1));
            json.WriteNumber("after", Math.Round(memory.AfterMb, 1));
            json.WriteEndObject();
        }
        json.WriteStartArray("notes");
        foreach (var note in run.Notes)
            json.WriteStringValue(note);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFigure(Utf8JsonWriter json, Figure figure)
    {
        json.WriteStartObject();
        json.WriteString("name", figure.Name);
        if (double.IsNaN(figure.Value))
            json.WriteNull("value");
        else
            json.WriteNumber("value", Math.Round(figure.Value, 3));
        json.WriteString("unit", figure.Unit);
        if (figure.Target is { } target)
        {
            json.WriteString("target", TargetText(target));
            json.WriteBoolean("met", target.IsMet(figure.Value));
        }
        json.WriteEndObject();
    }
}
