using System.Net;
using System.Net.Http.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// The CLI changing a SQLite store while a server runs on it. The server keeps the token's user,
/// the ACL version and the head in memory; each test first makes it keep them, then checks that
/// the very next request after the command returned sees the change — no wait, no retry.
/// </summary>
public sealed class RunningServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_password_changed_by_the_CLI_refuses_the_old_token_on_the_next_request()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        await admin.CreateUserAsync("user-alice", "alice", "first-password");
        var alice = server.NewClient(await server.LoginAsync("alice", "first-password"));
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/sync", Ct)).StatusCode);

        await workspace.RunOkAsync(["user", "passwd", "alice"], "second-password\n");

        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/sync", Ct)).StatusCode);
        var again = server.NewClient(await server.LoginAsync("alice", "second-password"));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/sync", Ct)).StatusCode);
    }

    [Fact]
    public async Task Admin_status_granted_and_revoked_by_the_CLI_applies_to_the_next_request()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        await admin.CreateUserAsync("user-bob", "bob", "bob-password");
        var bob = server.NewClient(await server.LoginAsync("bob", "bob-password"));
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/admin/users", Ct)).StatusCode);

        await workspace.RunOkAsync(["user", "admin", "bob"]);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/admin/users", Ct)).StatusCode);

        await workspace.RunOkAsync(["user", "admin", "bob", "--revoke"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/admin/users", Ct)).StatusCode);
    }

    [Fact]
    public async Task Events_imported_by_the_CLI_are_in_the_next_pull()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        var adminUuid = await admin.AdminUuidAsync();
        await admin.PutAclAsync(new AclRule("*", "*", "*", true));
        var cursor = await admin.PushAcceptedAsync(TestEvents.New(adminUuid, "task-0"));
        Assert.Empty((await PullAsync(admin, cursor)).Events);

        var imported = Enumerable.Range(1, 3).Select(i => TestEvents.New(adminUuid, $"task-{i}")).ToList();
        await workspace.RunOkAsync(["import", workspace.Write("in.jsonl", TestEvents.JsonLines(imported))]);

        var pulled = await PullAsync(admin, cursor);
        Assert.Equal(imported.Select(e => e.Uuid), pulled.Events.Select(e => e.Uuid));
        Assert.Equal(cursor + 3, pulled.Cursor);
        // And the server's own next commit follows them.
        var next = await admin.PushAcceptedAsync(TestEvents.New(adminUuid, "task-4"));
        Assert.Equal(pulled.Cursor + 1, next);
    }

    private static async Task<SyncResponse> PullAsync(HttpClient client, long cursor) =>
        (await client.GetFromJsonAsync<SyncResponse>($"/sync?cursor={cursor}", Ct))!;
}
