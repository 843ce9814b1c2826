using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace SimpleSync.Metrics;

/// <summary>
/// Collects this server's counters and histograms with a <see cref="MeterListener"/> and writes
/// them in the Prometheus text format. Our own exporter rather than OpenTelemetry's: its
/// Prometheus exporter for ASP.NET Core is still pre-release, and what we need (counters and
/// histograms of two meters, one text format) is this one small class.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    // Seconds: from half a millisecond (an empty pull) to ten seconds (a very large push).
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // The framework's request metric: one measurement per request, tagged with route, method and status.
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";

    private static readonly Dictionary<string, string> LabelNames = new()
    {
        ["http.route"] = "route",
        ["http.request.method"] = "method",
        ["http.response.status_code"] = "status",
        ["reason"] = "reason",
    };

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly ConcurrentDictionary<Instrument, byte> _instruments = new();

    public PrometheusExporter(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only meters of this server's container: another server in the same process has its own factory.
            if (!ReferenceEquals(instrument.Meter.Scope, meters))
                return;
            if (instrument.Meter.Name == SyncMetrics.MeterName
                || (instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration))
            {
                _instruments.TryAdd(instrument, 0);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd((instrument, Labels(tags)), static key => new Series(key.Instrument is Histogram<double>));
        series.Add(value);
    }

    /// <summary>Writes every series, plus the gauges the caller reads at scrape time.</summary>
    public void Write(StringBuilder text, IEnumerable<(string Name, string Help, double Value)> gauges)
    {
        foreach (var instrument in _instruments.Keys.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var name = PrometheusName(instrument);
            var histogram = instrument is Histogram<double>;
            text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
            text.Append("# TYPE ").Append(name).Append(histogram ? " histogram\n" : " counter\n");
            var series = _series.Where(s => s.Key.Instrument == instrument).OrderBy(s => s.Key.Labels, StringComparer.Ordinal).ToList();
            if (series.Count == 0 && !histogram)
                text.Append(name).Append(" 0\n");
            foreach (var ((_, labels), values) in series)
                values.Write(text, name, labels);
        }
        foreach (var (name, help, value) in gauges)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" gauge\n");
            text.Append(name).Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
            name = name.EndsWith("_duration", StringComparison.Ordinal) ? name + "_seconds" : name;
        return instrument is Histogram<double> ? name : name + "_total";
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
            return "";
        var pairs = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            if (LabelNames.TryGetValue(key, out var label))
                pairs.Add($"{label}=\"{Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")}\"");
        }
        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose() => _listener.Dispose();

    /// <summary>One labelled series: a running sum, or a histogram's buckets, count and sum.</summary>
    private sealed class Series(bool histogram)
    {
        private readonly long[]? _buckets = histogram ? new long[Buckets.Length] : null;
        private readonly Lock _gate = new();
        private long _count;
        private double _sum;

        public void Add(double value)
        {
            lock (_gate)
            {
                _count++;
                _sum += value;
                if (_buckets is null)
                    return;
                var i = Array.BinarySearch(Buckets, value);
                for (var b = i >= 0 ? i : ~i; b < _buckets.Length; b++)
                    _buckets[b]++;
            }
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                if (_buckets is null)
                {
                    Line(text, name, labels, null, _sum);
                    return;
                }
                for (var b = 0; b < Buckets.Length; b++)
                    Line(text, name + "_bucket", labels, $"le=\"{Number(Buckets[b])}\"", _buckets[b]);
                Line(text, name + "_bucket", labels, "le=\"+Inf\"", _count);
                Line(text, name + "_sum", labels, null, _sum);
                Line(text, name + "_count", labels, null, _count);
            }
        }

        private static void Line(StringBuilder text, string name, string labels, string? extra, double value)
        {
            text.Append(name);
            var all = string.Join(',', new[] { labels, extra }.Where(l => !string.IsNullOrEmpty(l)));
            if (all.Length > 0)
                text.Append('{').Append(all).Append('}');
            text.Append(' ').Append(Number(value)).Append('\n');
        }
    }
}
