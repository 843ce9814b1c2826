using System.Diagnostics;
using System.Diagnostics.Metrics;
using SimpleSync.Protocol;

namespace SimpleSync.Metrics;

/// <summary>
/// The server's own instruments, on a meter made by the host's <see cref="IMeterFactory"/> so that
/// several servers in one process (tests) keep separate figures.
/// </summary>
internal sealed class SyncMetrics
{
    public const string MeterName = "SimpleSync";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _push;
    private readonly Histogram<double> _pull;

    public SyncMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("simplesync.events.accepted", description: "Pushed events stored.");
        _duplicates = meter.CreateCounter<long>("simplesync.events.duplicate", description: "Pushed events that were already stored (retries).");
        _rejected = meter.CreateCounter<long>("simplesync.events.rejected", description: "Pushed events refused, by reason.");
        _push = meter.CreateHistogram<double>("simplesync.push.duration", unit: "s", description: "Time to handle a push (POST /sync, POST /events), including the commit.");
        _pull = meter.CreateHistogram<double>("simplesync.pull.duration", unit: "s", description: "Time to handle a pull (GET /sync, GET /events).");
    }

    public void Pushed(IReadOnlyList<PushResult> results)
    {
        long accepted = 0, duplicates = 0;
        foreach (var result in results)
        {
            switch (result.Status)
            {
                case PushStatuses.Accepted: accepted++; break;
                case PushStatuses.Duplicate: duplicates++; break;
                default: _rejected.Add(1, new KeyValuePair<string, object?>("reason", result.Reason)); break;
            }
        }
        if (accepted > 0)
            _accepted.Add(accepted);
        if (duplicates > 0)
            _duplicates.Add(duplicates);
    }

    public Timing TimePush() => new(_push);

    public Timing TimePull() => new(_pull);

    /// <summary>Records the time from its creation to its disposal.</summary>
    public readonly struct Timing(Histogram<double> histogram) : IDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();

        public void Dispose() => histogram.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds);
    }
}
