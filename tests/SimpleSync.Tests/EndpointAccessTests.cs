using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// Who may call what: no token is 401 everywhere but /health and /auth/token (the metrics and the
/// OpenAPI document included); a user on an admin endpoint is 403. Both come before the request's
/// own values are looked at (a bare /acl/explain).
/// </summary>
public sealed class EndpointAccessTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string NewUser = """{"uuid":"user-mallory","username":"mallory","password":"mallory-password"}""";
    private const string NewPassword = """{"new_password":"taken-over-password"}""";
    private const string OpenAcl = """{"rules":[{"user":"*","item":"*","action":"*","allow":true}]}""";
    private const string Explain = "/acl/explain?user=user-alice&item=task-1&action=create";

    /// <summary>Every endpoint that needs a token: method, path, body, and whether only an admin may call it.</summary>
    private static readonly (string Method, string Path, string? Body, bool AdminOnly)[] Protected =
    [
        ("GET", "/events", null, false),
        ("GET", "/events?fromTimestamp=0", null, false),
        ("POST", "/events", "[]", false),
        ("GET", "/metrics", null, false),
        ("GET", "/openapi/v1.json", null, false),
        ("GET", "/acl", null, true),
        ("PUT", "/acl", OpenAcl, true),
        ("GET", "/acl/history", null, true),
        ("GET", Explain, null, true),
        ("GET", "/acl/explain", null, true),
        ("GET", "/admin/users", null, true),
        ("POST", "/admin/users", NewUser, true),
        ("PUT", "/admin/users/user-alice", NewPassword, true),
        ("PUT", "/admin/users/user-nobody", NewPassword, true),
        ("GET", "/admin/devices", null, true),
        ("GET", "/admin/devices?user=user-alice", null, true),
        ("GET", "/admin/rejections", null, true),
        ("GET", "/admin/rejections?limit=0", null, true),
        ("GET", "/admin/overview", null, true),
    ];

    private static readonly ApiScenario[] WithoutToken =
    [
        .. Protected.Select(e => new ApiScenario($"anonymous {e.Method} {Label(e.Path)}", Caller.Anonymous, e.Method, e.Path,
            HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated) { Body = e.Body }),
    ];

    private static readonly ApiScenario[] UserOnAdminEndpoint =
    [
        .. Protected.Where(e => e.AdminOnly).Select(e => new ApiScenario($"alice {e.Method} {Label(e.Path)}", Caller.Alice, e.Method, e.Path,
            HttpStatusCode.Forbidden, ErrorCodes.Forbidden) { Body = e.Body }),
    ];

    private static readonly ApiScenario[] Admin =
    [
        .. new[] { "/acl", "/acl/history", Explain, "/admin/users", "/events" }.Select(path =>
            new ApiScenario($"admin GET {Label(path)}", Caller.Admin, "GET", path, HttpStatusCode.OK)),
    ];

    /// <summary>The path as a scenario's name shows it: xunit cuts a name off after 50 characters.</summary>
    private static string Label(string path) => path == Explain ? "/acl/explain?user&item&action" : path;

    public static TheoryData<string> WithoutTokenNames => ApiScenarios.Names(WithoutToken);

    public static TheoryData<string> UserOnAdminEndpointNames => ApiScenarios.Names(UserOnAdminEndpoint);

    public static TheoryData<string> AdminNames => ApiScenarios.Names(Admin);

    [Theory]
    [MemberData(nameof(WithoutTokenNames))]
    public async Task A_protected_endpoint_without_a_token_is_401_with_a_bearer_challenge_and_changes_nothing(string scenario)
    {
        var row = WithoutToken.Find(scenario);
        var before = await SnapshotAsync();

        using var response = await row.SendAsync(shared);

        await row.AssertAnsweredAsync(response);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(UserOnAdminEndpointNames))]
    public async Task A_user_who_is_not_an_admin_gets_403_on_admin_endpoints_and_changes_nothing(string scenario)
    {
        var row = UserOnAdminEndpoint.Find(scenario);
        var before = await SnapshotAsync();

        using var response = await row.SendAsync(shared);

        await row.AssertAnsweredAsync(response);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(AdminNames))]
    public async Task The_admin_may_call_the_admin_endpoints_and_the_user_ones(string scenario)
    {
        var row = Admin.Find(scenario);

        using var response = await row.SendAsync(shared);

        await row.AssertAnsweredAsync(response);
    }

    /// <summary>
    /// What the requests above could have changed: the ACL and its history, the users, the history
    /// of events, and whether Alice's token still works (a password change would revoke it).
    /// </summary>
    private async Task<string> SnapshotAsync()
    {
        var acl = await shared.Admin.GetAclJsonAsync();
        var aclChanges = (await shared.Admin.GetAclHistoryAsync()).Count;
        var users = string.Join(",", (await shared.Admin.GetUsersAsync()).Select(u => u.Username));
        using var events = await shared.Alice.GetAsync("/events", TestContext.Current.CancellationToken);
        var history = await events.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return $"{acl} {aclChanges} {users} {(int)events.StatusCode} {history}";
    }
}
