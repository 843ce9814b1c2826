using System.Diagnostics;
using System.Globalization;

namespace SimpleSync.LoadGen;

/// <summary>
/// The figures Linux keeps about a process and the machine under /proc, read from outside the
/// server so that measuring costs the server nothing.
/// </summary>
internal static class ProcFs
{
    /// <summary>USER_HZ: the unit of the CPU times in /proc. 100 on every mainstream Linux build.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>A field of /proc/PID/status (VmRSS, VmHWM) summed over <paramref name="pids"/>, in kB.</summary>
    public static long StatusKb(IEnumerable<int> pids, string field) => pids.Sum(pid => StatusKb(pid, field));

    /// <summary>A field of /proc/PID/status in kB (VmRSS, VmHWM), or -1 when the process is gone.</summary>
    public static long StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
                    return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    /// <summary>
    /// Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux 4.0+), so the next read of
    /// VmHWM is the peak since now. False when the kernel or permissions do not allow it.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>User plus system CPU time of a process in ticks (fields 14 and 15 of /proc/PID/stat).</summary>
    public static long CpuTicks(int pid)
    {
        try
        {
            return ParseCpuTicks(File.ReadAllText(pid == Environment.ProcessId ? "/proc/self/stat" : $"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long ParseCpuTicks(string stat)
    {
        var fields = StatFields(stat);
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The fields of a stat line from field 3 on: the command name (field 2) may hold spaces.</summary>
    private static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    /// <summary>The parent of a process (field 4 of /proc/PID/stat), or null when it is not on this machine.</summary>
    public static int? ParentPid(int pid)
    {
        try
        {
            return int.Parse(StatFields(File.ReadAllText($"/proc/{pid}/stat"))[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU ticks of a process and its children, those running now and those it has reaped
    /// (fields 16 and 17): a PostgreSQL postmaster and its backends, however short-lived.
    /// </summary>
    public static long ProcessTreeTicks(int pid)
    {
        static long Field(string[] fields, int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        long ticks;
        try
        {
            var own = StatFields(File.ReadAllText($"/proc/{pid}/stat"));
            ticks = Field(own, 11) + Field(own, 12) + Field(own, 13) + Field(own, 14);
        }
        catch (IOException)
        {
            return 0;
        }
        var parent = pid.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                continue;
            try
            {
                var fields = StatFields(File.ReadAllText($"/proc/{child}/stat"));
                if (fields[1] == parent)
                    ticks += Field(fields, 11) + Field(fields, 12);
            }
            catch (IOException)
            {
                // It exited meanwhile: a child's ticks moved to its parent's reaped children.
            }
        }
        return ticks;
    }

    /// <summary>CPU ticks of each thread of a process, by thread id.</summary>
    public static Dictionary<int, long> ThreadTicks(int pid)
    {
        var ticks = new Dictionary<int, long>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                    ticks[tid] = CpuTicks(pid, tid);
            }
        }
        catch (IOException)
        {
        }
        return ticks;
    }

    private static long CpuTicks(int pid, int tid)
    {
        try
        {
            return ParseCpuTicks(File.ReadAllText($"/proc/{pid}/task/{tid}/stat"));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Busy ticks of the whole machine, summed over all CPUs (user, nice, system, irq, softirq, steal).</summary>
    public static long MachineBusyTicks()
    {
        var line = File.ReadLines("/proc/stat").First();
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':') + 1)..].Trim()
            : "unknown";

    public static long MemTotalKb() =>
        File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line["MemTotal:".Length..].Trim().TrimEnd('k', 'B').Trim(), CultureInfo.InvariantCulture)
            : -1;
}

/// <summary>
/// CPU used over an interval by the server (every process of it, summed), by PostgreSQL when it
/// runs on this machine, by this load generator, and by everything else on the machine (other
/// work shares the box: a busy neighbour shows up as "other"). Percentages are of one core, so
/// two busy cores make 200 %. The server's busiest thread is measured too: near 100 % it is a
/// serial bottleneck (such as a single writer) whatever the number of cores.
/// </summary>
internal sealed class CpuMeter
{
    private readonly IReadOnlyList<int> _serverPids;
    private readonly int? _databasePid;
    private readonly long _server0, _database0, _self0, _machine0, _started;
    private readonly Dictionary<(int, int), long> _threads0;

    public CpuMeter(IReadOnlyList<int> serverPids, int? databasePid = null)
    {
        _serverPids = serverPids;
        _databasePid = databasePid;
        _server0 = serverPids.Sum(ProcFs.CpuTicks);
        _database0 = databasePid is { } pid ? ProcFs.ProcessTreeTicks(pid) : 0;
        _self0 = ProcFs.CpuTicks(Environment.ProcessId);
        _machine0 = ProcFs.MachineBusyTicks();
        _threads0 = Threads();
        _started = Stopwatch.GetTimestamp();
    }

    private Dictionary<(int Pid, int Tid), long> Threads() =>
        _serverPids.SelectMany(pid => ProcFs.ThreadTicks(pid).Select(t => ((pid, t.Key), t.Value))).ToDictionary();

    public CpuSplit Stop()
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double Percent(long ticks) => ticks / ProcFs.TicksPerSecond / seconds * 100;
        var server = _serverPids.Sum(ProcFs.CpuTicks) - _server0;
        var database = _databasePid is { } pid ? ProcFs.ProcessTreeTicks(pid) - _database0 : 0;
        var self = ProcFs.CpuTicks(Environment.ProcessId) - _self0;
        var machine = ProcFs.MachineBusyTicks() - _machine0;
        var busiest = Threads().Select(t => t.Value - _threads0.GetValueOrDefault(t.Key)).DefaultIfEmpty(0).Max();
        return new CpuSplit(Percent(server), Percent(self), Math.Max(0, Percent(machine - server - database - self)), Percent(busiest),
            _databasePid is null ? null : Percent(database));
    }
}

internal sealed record CpuSplit(double ServerPercent, double LoadGenPercent, double OtherPercent, double BusiestServerThreadPercent,
    double? DatabasePercent = null);

/// <summary>
/// The server's resident memory (summed over its processes) before an interval, its peak during
/// it and its value after. The peak comes from VmHWM after resetting it, backed by sampling VmRSS
/// every few milliseconds in case the reset is not allowed; with several processes the sum of
/// their peaks can exceed the peak of their sum.
/// </summary>
internal sealed class MemoryMeter
{
    private readonly IReadOnlyList<int> _pids;
    private readonly bool _peakReset;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<long> _sampler;

    public MemoryMeter(IReadOnlyList<int> pids)
    {
        _pids = pids;
        BeforeKb = Kb("VmRSS");
        _peakReset = pids.All(ProcFs.ResetPeak);
        _sampler = Task.Run(SampleAsync);
    }

    public long BeforeKb { get; }

    private long Kb(string field) => ProcFs.StatusKb(_pids, field);

    private async Task<long> SampleAsync()
    {
        var max = BeforeKb;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                max = Math.Max(max, Kb("VmRSS"));
        }
        catch (OperationCanceledException)
        {
        }
        return max;
    }

    public async Task<MemorySample> StopAsync()
    {
        await _stop.CancelAsync();
        var sampled = await _sampler;
        var peak = _peakReset ? Math.Max(sampled, Kb("VmHWM")) : sampled;
        _stop.Dispose();
        return new MemorySample(BeforeKb / 1024.0, peak / 1024.0, Kb("VmRSS") / 1024.0);
    }
}

/// <summary>Server RSS in MB: before an interval, its peak during it, after it.</summary>
internal sealed record MemorySample(double BeforeMb, double PeakMb, double AfterMb)
{
    public double RiseMb => PeakMb - BeforeMb;
}
