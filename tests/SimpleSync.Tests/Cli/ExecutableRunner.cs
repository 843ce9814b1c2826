using System.Diagnostics;
using SimpleSync.Testing;

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
/// Runs a command of the real <c>simple-sync</c> executable (see <see cref="Executable"/>) to its
/// end: arguments, environment and stdin as a user would give them, and a time limit so a hang
/// fails the test instead of blocking the run.
/// </summary>
internal static class ExecutableRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

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

    /// <summary>
    /// Runs to completion. <paramref name="stdin"/> is written and stdin closed (no text: closed at
    /// once, as when input comes from /dev/null). Kills the process if it outlives the time limit.
    /// </summary>
    public static async Task<ExeResult> RunAsync(string workingDirectory, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = Process.Start(Executable.SimpleSync(workingDirectory, args, environment))
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
