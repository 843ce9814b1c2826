using System.Diagnostics;
using SimpleSync.Client.Tests.Support;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

public sealed class CrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_killed_between_the_servers_answer_and_its_local_commit_syncs_to_the_right_state_on_restart()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        var store = Path.Combine(server.DataDirectory, "crashing-device.db");

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                ProbePath(),
                server.BaseAddress.ToString(), store, "alice", LiveServer.PasswordOf("alice"), "3",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var probe = Process.Start(start)!;
        var output = await probe.StandardOutput.ReadToEndAsync(Ct);
        await probe.WaitForExitAsync(Ct);
        var errors = await probe.StandardError.ReadToEndAsync(Ct);
        Assert.True(probe.ExitCode is not 0 and not 3 && errors.Length == 0, $"the probe was not killed (exit {probe.ExitCode}): {errors}");
        var recorded = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, recorded.Length);
        // The server committed the push; the dead client never stored the answer.
        Assert.Equal(recorded.Order(StringComparer.Ordinal), (await server.HistoryAsync()).Select(e => e.Uuid).Order(StringComparer.Ordinal));

        using var restarted = new SyncClient(server.NewClient(), store);
        Assert.Equal(recorded, restarted.PendingEvents().Select(e => e.Uuid));
        var result = await restarted.SyncAsync(Ct);

        Assert.Equal(recorded, result.Duplicates.Select(e => e.Uuid));
        Assert.Empty(result.Accepted);
        Assert.Empty(restarted.PendingEvents());
        var history = await server.HistoryAsync();
        Assert.Equal(3, history.Count);
        Assert.Equal(history, restarted.Events());
    }

    /// <summary>The probe runs from its own output folder (same configuration), where its dependencies are.</summary>
    private static string ProbePath()
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (tests.Name, tests.Parent!.Name);
        var root = tests.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "SimpleSync.Client.CrashProbe", "bin", configuration, framework, "SimpleSync.Client.CrashProbe.dll");
    }
}
