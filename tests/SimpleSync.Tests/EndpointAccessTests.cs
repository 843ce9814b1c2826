using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// Who may call what: no token is 401 everywhere but /health and /auth/token; a user on an admin
/// endpoint is 403. Both come before the request's own values are looked at (a bare /acl/explain).
/// </summary>
public sealed class EndpointAccessTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string NewUser = """{"uuid":"user-mallory","username":"mallory","password":"mallory-password"}""";
    private const string NewPassword = """{"new_password":"taken-over-password"}""";
    private const string OpenAcl = """{"rules":[{"user":"*","item":"*","action":"*","allow":true}]}""";
    private const string Explain = "/acl/explain?user=user-alice&item=task-1&action=create";

    public static TheoryData<string, string, string?> ProtectedEndpoints() => new()
    {
        { "GET", "/events", null },
        { "GET", "/events?fromTimestamp=0", null },
        { "POST", "/events", "[]" },
        { "GET", "/acl", null },
        { "PUT", "/acl", OpenAcl },
        { "GET", "/acl/history", null },
        { "GET", Explain, null },
        { "GET", "/acl/explain", null },
        { "GET", "/admin/users", null },
        { "POST", "/admin/users", NewUser },
        { "PUT", "/admin/users/user-alice", NewPassword },
        { "PUT", "/admin/users/user-nobody", NewPassword },
        { "GET", "/admin/devices", null },
        { "GET", "/admin/devices?user=user-alice", null },
        { "GET", "/admin/rejections", null },
        { "GET", "/admin/rejections?limit=0", null },
        { "GET", "/admin/overview", null },
    };

    public static TheoryData<string, string, string?> AdminEndpoints() => new()
    {
        { "GET", "/acl", null },
        { "PUT", "/acl", OpenAcl },
        { "GET", "/acl/history", null },
        { "GET", Explain, null },
        { "GET", "/acl/explain", null },
        { "GET", "/admin/users", null },
        { "POST", "/admin/users", NewUser },
        { "PUT", "/admin/users/user-alice", NewPassword },
        { "PUT", "/admin/users/user-nobody", NewPassword },
        { "GET", "/admin/devices", null },
        { "GET", "/admin/devices?user=user-alice", null },
        { "GET", "/admin/rejections", null },
        { "GET", "/admin/rejections?limit=0", null },
        { "GET", "/admin/overview", null },
    };

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task A_protected_endpoint_without_a_token_is_401_with_a_bearer_challenge_and_changes_nothing(
        string method, string path, string? body)
    {
        var before = await SnapshotAsync();

        using var response = await shared.Server.Anonymous.SendJsonAsync(new HttpMethod(method), path, body);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task A_user_who_is_not_an_admin_gets_403_on_admin_endpoints_and_changes_nothing(string method, string path, string? body)
    {
        var before = await SnapshotAsync();

        using var response = await shared.Alice.SendJsonAsync(new HttpMethod(method), path, body);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("GET", "/acl")]
    [InlineData("GET", "/acl/history")]
    [InlineData("GET", Explain)]
    [InlineData("GET", "/admin/users")]
    [InlineData("GET", "/events")]
    public async Task The_admin_may_call_the_admin_endpoints_and_the_user_ones(string method, string path)
    {
        using var response = await shared.Admin.SendJsonAsync(new HttpMethod(method), path, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
