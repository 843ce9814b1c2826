using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// <c>simple-sync serve</c> as a child process. Started, it is known to listen: the address comes
/// from the "listening on http://..." (or https://) line it prints on stdout (the config asks for port 0, so
/// the port is the one the server really got). Stopped with SIGTERM as a service manager does,
/// or killed with SIGKILL as a crash would; disposing kills whatever is still running.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HttpClient> _clients = [];

    private ServerProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_stdout)
                return _stdout.ToString();
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    /// <summary>Starts <c>serve</c> and waits until it listens; fails with what it printed if it exits or hangs first.</summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, IEnumerable<string>? args = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = ExecutableRunner.StartInfo(workingDirectory, ["serve", .. args ?? []], environment);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (server._stderr)
                server._stderr.AppendLine(e.Data);
        };
        process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("the server exited before it listened"));
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(ExecutableRunner.Timeout, TestContext.Current.CancellationToken);
            return server;
        }
        catch (Exception ex)
        {
            await server.DisposeAsync();
            if (ex is OperationCanceledException)
                throw;
            throw new InvalidOperationException($"simple-sync serve did not start ({ex.Message}).\n--- stdout:\n{server.Stdout}\n--- stderr:\n{server.Stderr}");
        }
    }

    private void OnStdout(string? line)
    {
        if (line is null)
            return;
        lock (_stdout)
            _stdout.AppendLine(line);
        if (ListeningLine().Match(line) is { Success: true } match)
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>
    /// Waits until the output holds <paramref name="text"/>: log lines are written by a background
    /// thread, so one logged during start-up may come after the listening line.
    /// </summary>
    public async Task<bool> PrintsAsync(string text)
    {
        var deadline = DateTime.UtcNow + ExecutableRunner.Timeout;
        while (!(Stdout + Stderr).Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || HasExited)
                return (Stdout + Stderr).Contains(text, StringComparison.Ordinal);
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        return true;
    }

    public HttpClient NewClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = ExecutableRunner.Timeout };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        lock (_clients)
            _clients.Add(client);
        return client;
    }

    /// <summary>Sends SIGTERM (Process has no API for it) and returns the exit code once the server has stopped.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString()]))
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        return await WaitForExitAsync();
    }

    /// <summary>SIGKILL: the process gets no chance to flush, close or clean up anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await WaitForExitAsync();
    }

    private async Task<int> WaitForExitAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(ExecutableRunner.Timeout);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
                client.Dispose();
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(ExecutableRunner.Timeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^simple-sync \S+ listening on (https?://[^\s,]+)")]
    private static partial Regex ListeningLine();
}
