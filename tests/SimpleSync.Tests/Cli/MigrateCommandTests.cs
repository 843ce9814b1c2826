using System.Net.Http.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary><c>simple-sync migrate</c>: a SQLite deployment moved into PostgreSQL with one command.</summary>
public sealed class MigrateCommandTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestPostgres _database = new();
    private readonly CliWorkspace _workspace = new();

    /// <summary>The same workspace (so the same JWT secret) with the store switched to PostgreSQL by the environment.</summary>
    private Dictionary<string, string?> OnPostgres => new()
    {
        ["SIMPLESYNC_STORAGE_PROVIDER"] = "postgres",
        ["SIMPLESYNC_STORAGE_POSTGRES"] = _database.ConnectionString,
    };

    public void Dispose()
    {
        _workspace.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Users_ACL_versions_and_history_move_over_and_logins_stay_valid_under_a_new_epoch()
    {
        string token, epoch;
        List<Event> history;
        await using (var sqlite = await _workspace.ServeAsync())
        {
            token = await sqlite.LoginAsync("admin", _workspace.AdminPassword);
            var admin = sqlite.NewClient(token);
            await admin.PutAclAsync(new AclRule("*", "task-*", "*", true));
            await admin.PutAclAsync(new AclRule("*", "*", "*", true));
            await admin.CreateUserAsync("user-bob", "bob", "bob-password-1");
            var adminUuid = await admin.AdminUuidAsync();
            await admin.PushAcceptedAsync([.. Enumerable.Range(0, 25).Select(i => TestEvents.New(adminUuid, $"task-{i % 3}"))]);
            var pulled = await admin.PullAsync(0);
            (epoch, history) = (pulled.Epoch, [.. pulled.Events]);
            Assert.Equal(0, await sqlite.StopAsync());
        }

        var result = await _workspace.RunAsync(["migrate", _workspace.DatabaseFile], environment: OnPostgres);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("copied 2 users, 2 ACL versions and 25 events", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_database.ConnectionString, result.Stdout + result.Stderr, StringComparison.Ordinal);
        await using var postgres = await _workspace.ServeAsync(OnPostgres);
        var moved = postgres.NewClient(token);
        var after = await moved.PullAsync(0);
        Assert.NotEqual(epoch, after.Epoch);
        Assert.Equal(history, after.Events);
        Assert.Equal(2, (await moved.GetFromJsonAsync<List<AclChange>>("/acl/history", Ct))!.Count);
        Assert.Equal(new AclRule("*", "*", "*", true), Assert.Single((await moved.GetFromJsonAsync<AclDocument>("/acl", Ct))!.Rules));
        var users = await moved.GetFromJsonAsync<List<UserInfo>>("/admin/users", Ct);
        Assert.Equal(["admin", "bob"], users!.Select(u => u.Username).Order());
        Assert.True(users!.Single(u => u.Username == "admin").Admin);
        await postgres.LoginAsync("bob", "bob-password-1");
    }

    [Fact]
    public async Task A_target_that_is_not_empty_is_refused_and_left_as_it_was()
    {
        await using (var sqlite = await _workspace.ServeAsync())
            Assert.Equal(0, await sqlite.StopAsync());
        await using (var postgres = await _workspace.ServeAsync(OnPostgres))
            Assert.Equal(0, await postgres.StopAsync());

        var result = await _workspace.RunAsync(["migrate", _workspace.DatabaseFile], environment: OnPostgres);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not empty", result.SingleErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_that_does_not_exist_is_named_and_nothing_is_created()
    {
        var missing = _workspace.File("nowhere.db");

        var result = await _workspace.RunAsync(["migrate", missing], environment: OnPostgres);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(missing, result.SingleErrorLine, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }
}
