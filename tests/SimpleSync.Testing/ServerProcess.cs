using System.Diagnostics;
using System.Globalization;

namespace SimpleSync.Testing;

/// <summary>
/// A server as a child process: <c>simple-sync serve</c>, known to listen once it has written its
/// ready file (the config asks for port 0, so the address is the one the server really got), or
/// another server program (the load generator's peer). Stopped with SIGTERM as a service manager
/// does, or killed with SIGKILL as a crash would; disposing kills whatever is still running.
/// </summary>
/// <remarks>
/// It runs under a small shell that sends it SIGTERM when our end of the shell's stdin closes:
/// stopping is closing that pipe, and a test host or load generator that crashes or is killed
/// closes it too, so no server outlives whoever started it. The shell exits with the server's
/// exit code as soon as the server exits.
/// </remarks>
internal sealed class ServerProcess : IAsyncDisposable
{
    // INT is ignored so that Ctrl+C in a terminal reaches only the program that started the server,
    // which then stops it in order. The server's pid comes first on stdout so /proc can be read.
    private const string Watchdog = """
        trap '' INT
        exec 3<&0
        "$@" </dev/null 3<&- &
        server=$!
        echo "server-pid $server"
        { read -r _ <&3; kill -TERM "$server" 2>/dev/null; } &
        watcher=$!
        exec 3<&-
        wait "$server"
        code=$?
        kill "$watcher" 2>/dev/null
        exit "$code"
        """;

    private const string PidPrefix = "server-pid ";

    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _shell;
    private readonly ProcessOutput _output = new();
    private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HttpClient> _clients = [];
    private DirectoryInfo? _readyDirectory;

    private ServerProcess(Process shell)
    {
        _shell = shell;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The server's own pid (not the shell's).</summary>
    public int Pid { get; private set; }

    /// <summary>True once the server has ended (and with it the shell).</summary>
    public bool HasExited => _shell.HasExited;

    /// <summary>Where <c>serve</c> wrote its ready file; null for another program.</summary>
    public string? ReadyFilePath { get; private set; }

    public string Stdout => _output.Stdout;

    public string Stderr => _output.Stderr;

    public IReadOnlyList<string> StderrLines => _output.StderrLines;

    /// <summary>
    /// Starts <c>simple-sync serve</c> (<paramref name="dll"/>, or the one beside the running
    /// assembly) and waits until it has written its ready file; fails with what it printed if it
    /// exits or does not get there within <see cref="StartTimeout"/>.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, IEnumerable<string>? args = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? dll = null, CancellationToken ct = default)
    {
        var readyDirectory = Directory.CreateTempSubdirectory("simple-sync-ready-");
        var readyFile = Path.Combine(readyDirectory.FullName, "ready.json");
        var info = Executable.SimpleSync(workingDirectory, ["serve", "--ready-file", readyFile, .. args ?? []], environment, dll);
        using var watch = ReadyFile.WatchFor(readyFile);
        var server = Launch(info);
        server._readyDirectory = readyDirectory;
        server.ReadyFilePath = readyFile;
        try
        {
            var exited = server._shell.WaitForExitAsync(ct);
            var first = await Task.WhenAny(watch.Ready, exited).WaitAsync(StartTimeout, ct);
            if (first != watch.Ready)
                throw new InvalidOperationException($"the server exited with code {server._shell.ExitCode} before it listened");
            var ready = await watch.Ready;
            server.BaseAddress = ready.Urls[0];
            server.Pid = await server._pid.Task;
            return server;
        }
        catch (Exception ex)
        {
            await server.DisposeAsync();
            if (ex is OperationCanceledException)
                throw;
            throw new InvalidOperationException(
                $"simple-sync serve did not start ({ex.Message}).\n--- stdout:\n{server.Stdout}\n--- stderr:\n{server.Stderr}", ex);
        }
    }

    /// <summary>
    /// Starts another server program at an address the caller chose; the caller checks that it
    /// answers there. Returns once its pid is known, so /proc can be read for it.
    /// </summary>
    public static async Task<ServerProcess> StartProgramAsync(IReadOnlyList<string> command, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment, Uri baseAddress)
    {
        var server = Launch(Executable.StartInfo(command[0], workingDirectory, command.Skip(1), environment));
        server.BaseAddress = baseAddress;
        try
        {
            server.Pid = await server._pid.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return server;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            // No pid in time, or the watchdog exited first: without its pid, /proc would be read
            // for pid 0. Fail here, with why, and leave no process behind.
            await server.DisposeAsync();
            throw new InvalidOperationException($"{command[0]} did not start: {(ex is TimeoutException ? "no pid within 10 s" : ex.Message)}");
        }
    }

    /// <summary>The same start, run by the watchdog shell: the program and its arguments follow the script.</summary>
    private static ServerProcess Launch(ProcessStartInfo program)
    {
        var info = Executable.StartInfo("bash", program.WorkingDirectory, ["-c", Watchdog, "simple-sync-watchdog", program.FileName, .. program.ArgumentList], null);
        info.Environment.Clear();
        foreach (var (name, value) in program.Environment)
            info.Environment[name] = value;
        var shell = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(shell);
        shell.OutputDataReceived += (_, e) => server.OnStdout(e.Data);
        shell.ErrorDataReceived += (_, e) => server._output.AddStderr(e.Data);
        shell.Exited += (_, _) => server._pid.TrySetException(new InvalidOperationException("the watchdog exited"));
        shell.Start();
        RunningServers.Track(server);
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
        return server;
    }

    private void OnStdout(string? line)
    {
        if (line is not null && line.StartsWith(PidPrefix, StringComparison.Ordinal) && !_pid.Task.IsCompleted)
            _pid.TrySetResult(int.Parse(line[PidPrefix.Length..], CultureInfo.InvariantCulture));
        else
            _output.AddStdout(line);
    }

    /// <summary>
    /// Waits until the output holds <paramref name="text"/>: log lines are written by a background
    /// thread, so one logged during start-up may come after the server said it was ready. False
    /// if the output ends or <see cref="StartTimeout"/> passes without it.
    /// </summary>
    public Task<bool> PrintsAsync(string text) => _output.WaitForAsync(text, StartTimeout);

    public HttpClient NewClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = StartTimeout };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    /// <summary>
    /// SIGTERM, then the server's exit code once it has stopped. A server still running after
    /// <see cref="StopTimeout"/> is killed and the stop fails with a <see cref="TimeoutException"/>.
    /// </summary>
    public async Task<int> StopAsync()
    {
        try
        {
            _shell.StandardInput.Close();
        }
        catch (IOException)
        {
            // The shell is already gone.
        }
        try
        {
            await _shell.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            await KillAsync();
            throw new TimeoutException($"the server did not stop within {StopTimeout.TotalSeconds} s of SIGTERM, and was killed");
        }
        RunningServers.Untrack(this);
        return _shell.ExitCode;
    }

    /// <summary>SIGKILL: the server gets no chance to flush, close or clean up anything.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _shell.WaitForExitAsync().WaitAsync(StopTimeout);
    }

    /// <summary>SIGKILL to the server, then to the shell and anything else it started.</summary>
    internal void Kill()
    {
        try
        {
            // While the shell runs it has not reaped the server, so the pid cannot belong to another process yet.
            if (Pid > 0 && !_shell.HasExited)
            {
                using var server = Process.GetProcessById(Pid);
                server.Kill();
            }
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
            // Never started, or gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
                client.Dispose();
        }
        Kill();
        try
        {
            await _shell.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Never started, or not dead yet after SIGKILL: nothing more to do.
        }
        RunningServers.Untrack(this);
        _shell.Dispose();
        try
        {
            _readyDirectory?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
