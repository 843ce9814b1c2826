using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SimpleSync.LoadGen;

/// <summary>
/// <c>simple-sync serve</c> (or the peer's server) as a separate process on 127.0.0.1 with its
/// data in one directory. It runs under a small shell that sends it SIGTERM when our end of the
/// shell's stdin closes: stopping is closing that pipe, and a load generator that crashes or is
/// killed closes it too, so no server outlives the run.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    // INT is ignored so that Ctrl+C in the terminal reaches only the load generator, which then
    // stops the server in order; the server's pid comes first on stdout so /proc can be read.
    private const string Watchdog = """
        trap '' INT
        "$@" </dev/null &
        server=$!
        echo "server-pid $server"
        read -r _
        kill -TERM "$server" 2>/dev/null
        wait "$server"
        """;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _shell;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _stderr = [];
    private bool _stopped;

    private ServerProcess(Process shell)
    {
        _shell = shell;
    }

    public int Pid { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What the server logged on stderr (warnings and errors: it runs at log level warning).</summary>
    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_stderr)
                return [.. _stderr];
        }
    }

    /// <summary>Starts the server on a free loopback port and waits until it says it listens.</summary>
    public static async Task<ServerProcess> StartAsync(string serverDll, string dataDirectory,
        IReadOnlyDictionary<string, string> extraEnvironment, CancellationToken ct)
    {
        var info = WatchdogStartInfo(dataDirectory, ["dotnet", serverDll, "serve"]);
        // Only our settings: a SIMPLESYNC_* variable of the calling shell must not change what is measured.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("SIMPLESYNC_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        info.Environment["SIMPLESYNC_SERVER_LISTEN"] = "http://127.0.0.1:0";
        info.Environment["SIMPLESYNC_SERVER_LOG_LEVEL"] = "warning";
        info.Environment["SIMPLESYNC_STORAGE_SQLITE_PATH"] = Path.Combine(dataDirectory, "simple-sync.db");
        info.Environment["SIMPLESYNC_AUTH_JWT_SECRET_FILE"] = Path.Combine(dataDirectory, "jwt-secret");
        foreach (var (key, value) in extraEnvironment)
            info.Environment[key] = value;

        var server = Launch(info);
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(StartTimeout, ct);
            return server;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await server.DisposeAsync();
            throw new BenchException($"simple-sync serve did not start: {ex.Message}\n{string.Join('\n', server.Stderr)}");
        }
    }

    /// <summary>
    /// Starts another server program under the same watchdog, at an address the caller chose (it
    /// checks that the program answers there). Its pid is the watchdog's child, as for simple-sync.
    /// </summary>
    public static async Task<ServerProcess> StartProgramAsync(IReadOnlyList<string> command, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, Uri baseAddress)
    {
        var info = WatchdogStartInfo(workingDirectory, command);
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        var server = Launch(info);
        server.BaseAddress = baseAddress;
        // The pid line comes first, as soon as the shell has forked; /proc is read by that pid.
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (server.Pid == 0 && !server.HasExited && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(10);
        if (server.Pid == 0)
        {
            // Without its pid, /proc would be read for pid 0: fail here, with why.
            server.Kill();
            throw new BenchException($"{command[0]} did not start: {(server.HasExited ? "its watchdog exited" : "no pid within 10 s")}");
        }
        return server;
    }

    /// <summary>True once the watchdog (and so the server under it) has ended.</summary>
    public bool HasExited => _shell.HasExited;

    private static ProcessStartInfo WatchdogStartInfo(string workingDirectory, IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", Watchdog, "simple-sync-watchdog" }.Concat(command))
            info.ArgumentList.Add(arg);
        return info;
    }

    private static ServerProcess Launch(ProcessStartInfo info)
    {
        var shell = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(shell);
        shell.OutputDataReceived += (_, e) => server.OnStdout(e.Data);
        shell.ErrorDataReceived += (_, e) => server.OnStderr(e.Data);
        shell.Exited += (_, _) => server._listening.TrySetException(new BenchException("the server exited before it listened"));
        shell.Start();
        Cleanup.Track(server);
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
        return server;
    }

    private void OnStdout(string? line)
    {
        if (line is null)
            return;
        if (PidLine().Match(line) is { Success: true } pid)
            Pid = int.Parse(pid.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        else if (ListeningLine().Match(line) is { Success: true } listening)
            _listening.TrySetResult(new Uri(listening.Groups[1].Value));
    }

    private void OnStderr(string? line)
    {
        if (line is null)
            return;
        lock (_stderr)
            _stderr.Add(line);
    }

    /// <summary>Stops the server with SIGTERM and waits for it; kills it if it does not stop in time.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        try
        {
            _shell.StandardInput.Close();
        }
        catch (IOException)
        {
            // The shell is already gone.
        }
        using var limit = new CancellationTokenSource(StopTimeout);
        try
        {
            await _shell.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
        Cleanup.Untrack(this);
    }

    /// <summary>SIGKILL to the server and its shell: the last resort on the way out.</summary>
    public void Kill()
    {
        try
        {
            if (Pid > 0 && Directory.Exists($"/proc/{Pid}"))
                Process.GetProcessById(Pid).Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It exited meanwhile.
        }
        try
        {
            if (!_shell.HasExited)
                _shell.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _shell.Dispose();
    }

    [GeneratedRegex(@"^server-pid (\d+)$")]
    private static partial Regex PidLine();

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>
/// Every server still running, so that Ctrl+C or an unexpected exit of the load generator stops
/// them too (the watchdog shell covers the case where this process is killed outright).
/// </summary>
internal static class Cleanup
{
    private static readonly HashSet<ServerProcess> Running = [];

    static Cleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Track(ServerProcess server)
    {
        lock (Running)
            Running.Add(server);
    }

    public static void Untrack(ServerProcess server)
    {
        lock (Running)
            Running.Remove(server);
    }

    public static void KillAll()
    {
        ServerProcess[] left;
        lock (Running)
        {
            left = [.. Running];
            Running.Clear();
        }
        foreach (var server in left)
            server.Kill();
    }
}
