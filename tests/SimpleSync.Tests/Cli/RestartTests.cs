using System.Net.Http.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// The real executable stopped and started again over the same data directory: politely with
/// SIGTERM, and with SIGKILL right after answering, where only what was durable survives.
/// </summary>
public sealed class RestartTests
{
    private static readonly AclRule[] Rules = [new("user-alice", "task-*", "*", true), new("*", "*", "*", false)];

    [Fact]
    public async Task After_SIGTERM_and_a_restart_history_users_and_ACL_are_intact()
    {
        using var workspace = new CliWorkspace();
        var pushed = Enumerable.Range(0, 10).Select(i => TestEvents.New("user-alice", $"task-{i}")).ToList();
        string adminToken;
        await using (var server = await workspace.ServeAsync())
        {
            adminToken = await server.LoginAsync("admin", workspace.AdminPassword);
            var admin = server.NewClient(adminToken);
            await admin.CreateUserAsync("user-alice", "alice", "alice-password");
            await admin.PutAclAsync(Rules);
            var alice = server.NewClient(await server.LoginAsync("alice", "alice-password"));
            await alice.PushAcceptedAsync([.. pushed.Take(5)]);
            await alice.PushAcceptedAsync([.. pushed.Skip(5)]);

            Assert.Equal(0, await server.StopAsync());
        }

        await using var restarted = await workspace.ServeAsync();

        var again = restarted.NewClient(await restarted.LoginAsync("alice", "alice-password"));
        Assert.Equal(pushed, await again.GetHistoryAsync());
        // The token from before the restart is still good: same secret, same security stamp.
        var adminAgain = restarted.NewClient(adminToken);
        var acl = await adminAgain.GetFromJsonAsync<AclDocument>("/acl", TestContext.Current.CancellationToken);
        Assert.Equal(Rules, acl!.Rules);
        using var denied = await again.PushAsync(TestEvents.New("user-alice", "note-1"));
        Assert.Equal("1", denied.Headers.GetValues("Sync-Rejected").Single());
        await again.PushAcceptedAsync(TestEvents.New("user-alice", "task-99"));
    }

    [Fact]
    public async Task Every_push_answered_before_a_kill_9_is_there_exactly_once_after_the_restart()
    {
        using var workspace = new CliWorkspace();
        var answered = new List<Event>();
        long highestCursor = 0;
        var (token, adminUuid) = await CrashChecks.PrepareAsync(workspace);
        for (var round = 0; round < 5; round++)
        {
            await using var server = await workspace.ServeAsync();
            var admin = server.NewClient(token);
            await CrashChecks.AssertHistoryAsync(admin, answered, highestCursor, $"after kill {round}");

            var batch = Enumerable.Range(0, 50).Select(i => TestEvents.New(adminUuid, $"item-{round}-{i}")).ToArray();
            var cursor = await admin.PushAcceptedAsync(batch);
            await server.KillAsync();

            Assert.True(cursor > highestCursor, $"round {round}: cursor {cursor} did not grow past {highestCursor}");
            answered.AddRange(batch);
            highestCursor = cursor;
        }
        await using var last = await workspace.ServeAsync();
        await CrashChecks.AssertHistoryAsync(last.NewClient(token), answered, highestCursor, "after the last kill");
    }
}
