using System.Net;
using System.Net.Http.Json;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// Admin status belongs to the account: a name in auth.admins grants it once, a rename keeps it,
/// admins grant and revoke it, and the last admin cannot lose it.
/// </summary>
public sealed class AdminAccountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpStatusCode> StatusOfAclAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/acl", Ct);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> UpdateAsync(HttpClient admin, string uuid, UpdateUserRequest request) =>
        await admin.PutAsJsonAsync($"/admin/users/{uuid}", request, Ct);

    [Fact]
    public async Task An_admin_renamed_away_keeps_its_rights_and_its_old_name_grants_nothing_even_after_a_restart()
    {
        using var dir = new TempDir();
        string rootPassword;
        await using (var server = await LiveServer.StartAsync(dir: dir))
        {
            var admin = await server.AdminAsync();
            var adminUuid = Jwt.Payload(admin.DefaultRequestHeaders.Authorization!.Parameter!)["sub"]!.GetValue<string>();
            rootPassword = server.AdminPassword;
            using (var rename = await UpdateAsync(admin, adminUuid, new UpdateUserRequest(NewUsername: "root")))
                Assert.Equal(HttpStatusCode.NoContent, rename.StatusCode);
            var root = server.NewClient(await server.LoginAsync("root", rootPassword));
            Assert.Equal(HttpStatusCode.OK, await StatusOfAclAsync(root));

            using (var create = await root.PostAsJsonAsync("/admin/users", new CreateUserRequest("u-newcomer", "admin", "newcomer-password"), Ct))
                Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            var newcomer = server.NewClient(await server.LoginAsync("admin", "newcomer-password"));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAclAsync(newcomer));
        }

        await using var restarted = await LiveServer.StartAsync(dir: dir);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAclAsync(restarted.NewClient(await restarted.LoginAsync("admin", "newcomer-password"))));
        var rootAgain = restarted.NewClient(await restarted.LoginAsync("root", rootPassword));
        Assert.Equal(["admin:False", "root:True"], (await rootAgain.GetUsersAsync()).Select(u => $"{u.Username}:{u.Admin}"));
    }

    [Fact]
    public async Task Revoking_the_last_admin_is_400_conflict_and_admins_grant_and_revoke_for_others()
    {
        await using var server = await LiveServer.StartAsync();
        var admin = await server.AdminAsync();
        var adminUuid = Jwt.Payload(admin.DefaultRequestHeaders.Authorization!.Parameter!)["sub"]!.GetValue<string>();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");

        using (var last = await UpdateAsync(admin, adminUuid, new UpdateUserRequest(NewPassword: "another-password", Admin: false)))
            await last.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Conflict);
        // Refused whole: the password did not change either.
        Assert.Equal(HttpStatusCode.OK, await StatusOfAclAsync(server.NewClient(await server.LoginAsync("admin", server.AdminPassword))));

        using (var grant = await UpdateAsync(admin, aliceUuid, new UpdateUserRequest(Admin: true)))
            Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        // The token alice already has carries the new right: status is read per request, tokens stay valid.
        Assert.Equal(HttpStatusCode.OK, await StatusOfAclAsync(alice));
        using (var revoke = await UpdateAsync(alice, adminUuid, new UpdateUserRequest(Admin: false)))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAclAsync(admin));
        using (var lastAgain = await UpdateAsync(alice, aliceUuid, new UpdateUserRequest(Admin: false)))
            await lastAgain.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Conflict);
        Assert.Equal(["admin:False", "alice:True"], (await alice.GetUsersAsync()).Select(u => $"{u.Username}:{u.Admin}"));
        using var unknown = await UpdateAsync(alice, "no-such-user", new UpdateUserRequest(Admin: true));
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task A_name_added_to_auth_admins_makes_the_account_that_holds_it_an_admin_at_the_next_start()
    {
        using var dir = new TempDir();
        await using (var server = await LiveServer.StartAsync(dir: dir))
        {
            var (_, bob) = await server.NewUserAsync("bob");
            Assert.Equal(HttpStatusCode.Forbidden, await StatusOfAclAsync(bob));
        }

        await using var restarted = await LiveServer.StartAsync(o => o with { Auth = o.Auth with { Admins = ["admin", "bob"] } }, dir: dir);
        var bobAgain = restarted.NewClient(await restarted.LoginAsync("bob", LiveServer.PasswordOf("bob")));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAclAsync(bobAgain));
    }
}
