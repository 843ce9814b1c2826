using System.Diagnostics;

namespace SimpleSync.Tests.Cli;

/// <summary>What one run of the executable left behind.</summary>
internal sealed record ExeResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    public IReadOnlyList<string> StdoutLines => Lines(Stdout);

    /// <summary>The one line a failing command must print on stderr; fails the test if there are more or none.</summary>
    public string SingleErrorLine
    {
        get
        {
            Assert.True(StderrLines.Count == 1, $"expected exactly one line on stderr, got {StderrLines.Count}:\n{Stderr}");
            return StderrLines[0];
        }
    }

    /// <summary>
    /// Asserts a refused configuration: exit code 2, nothing served, and one line on stderr that
    /// names each of <paramref name="named"/> (the key, the file, what was wrong).
    /// </summary>
    public void AssertConfigRefused(string what, params IEnumerable<string> named)
    {
        Assert.True(ExitCode == 2, $"{what}: {this}");
        var line = SingleErrorLine;
        foreach (var part in named)
            Assert.Contains(part, line);
        Assert.DoesNotContain("listening on", Stdout);
    }

    public override string ToString() => $"exit code {ExitCode}\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
}

/// <summary>
/// Runs the real <c>simple-sync</c> executable (the server project's build output, beside the
/// tests) with <c>dotnet simple-sync.dll</c>: arguments, environment and stdin as a user would
/// give them, and a time limit so a hang fails the test instead of blocking the run.
/// </summary>
internal static class ExecutableRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "simple-sync.dll");

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// A start of the executable in <paramref name="workingDirectory"/>. Inherited SIMPLESYNC_*
    /// and ASPNETCORE_* variables are removed so only what the test gives reaches the process;
    /// a null value in <paramref name="environment"/> removes that variable too.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(IsOurs).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    private static async Task WriteStdinAsync(Process process, string? text, CancellationToken ct)
    {
        try
        {
            if (text is not null)
                await process.StandardInput.WriteAsync(text.AsMemory(), ct);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited without reading its input (a usage error): what it printed says why.
        }
    }

    private static bool IsOurs(string name) =>
        name.StartsWith("SIMPLESYNC_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DOTNET_URLS", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs to completion. <paramref name="stdin"/> is written and stdin closed (no text: closed at
    /// once, as when input comes from /dev/null). Kills the process if it outlives the time limit.
    /// </summary>
    public static async Task<ExeResult> RunAsync(string workingDirectory, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = Process.Start(StartInfo(workingDirectory, args, environment))
            ?? throw new InvalidOperationException("could not start the executable");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await WriteStdinAsync(process, stdin, ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"simple-sync {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s");
            }
            return new ExeResult(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }
}
