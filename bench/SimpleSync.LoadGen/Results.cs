using System.Diagnostics;

namespace SimpleSync.LoadGen;

/// <summary>A target a figure is held against: at least or at most <see cref="Limit"/>.</summary>
internal sealed record Target(bool AtLeast, double Limit)
{
    public static Target Min(double limit) => new(true, limit);

    public static Target Max(double limit) => new(false, limit);

    public bool IsMet(double value) => AtLeast ? value >= Limit : value <= Limit;

    /// <summary>How much better (positive) or worse (negative) the value is, as a fraction of the limit.</summary>
    public double Margin(double value) => AtLeast ? (value - Limit) / Limit : (Limit - value) / Limit;
}

/// <summary>One measured number; the ones with a target decide met or missed.</summary>
internal sealed record Figure(string Name, double Value, string Unit, Target? Target = null);

/// <summary>What one run of a scenario measured, with where the CPU went and what the server's memory did.</summary>
internal sealed record ScenarioResult(
    string Scenario,
    int Run,
    IReadOnlyList<Figure> Figures,
    CpuSplit? Cpu,
    MemorySample? Memory,
    IReadOnlyList<string> Notes)
{
    /// <summary>The figure runs are compared by: the first one with a target.</summary>
    public Figure Primary => Figures.FirstOrDefault(f => f.Target is not null) ?? Figures[0];

    /// <summary>Higher is better: the primary figure's margin over its target.</summary>
    public double Score => Primary.Target is { } target ? target.Margin(Primary.Value) : Primary.Value;
}

/// <summary>Latencies of one kind of operation, in stopwatch ticks, and their percentiles in milliseconds.</summary>
internal sealed class Latencies
{
    private readonly List<long> _ticks = [];

    public int Count => _ticks.Count;

    public void Add(long ticks) => _ticks.Add(ticks);

    public void AddRange(Latencies other) => _ticks.AddRange(other._ticks);

    /// <summary>Nearest-rank percentile in milliseconds; NaN when nothing was recorded.</summary>
    public double PercentileMs(double percentile)
    {
        if (_ticks.Count == 0)
            return double.NaN;
        _ticks.Sort();
        var rank = (int)Math.Ceiling(percentile / 100 * _ticks.Count);
        return ToMs(_ticks[Math.Clamp(rank - 1, 0, _ticks.Count - 1)]);
    }

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// The measured interval of a load scenario. Clients run before, during and after it; an
/// operation counts when it completes inside the window, which is unbiased in a steady state.
/// </summary>
internal sealed class MeasureWindow
{
    private long _start = long.MaxValue;
    private long _end = long.MaxValue;

    public void Open() => Volatile.Write(ref _start, Stopwatch.GetTimestamp());

    public void Close() => Volatile.Write(ref _end, Stopwatch.GetTimestamp());

    public bool Contains(long timestamp) => timestamp >= Volatile.Read(ref _start) && timestamp <= Volatile.Read(ref _end);

    public double Seconds => (Volatile.Read(ref _end) - Volatile.Read(ref _start)) / (double)Stopwatch.Frequency;
}
