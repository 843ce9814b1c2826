using System.Net;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>Requests for no endpoint or with the wrong method get problem+json too; /health needs no token.</summary>
public sealed class RoutingTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Theory]
    [InlineData("GET", "/nope", true)]
    [InlineData("GET", "/nope", false)]
    [InlineData("GET", "/", true)]
    [InlineData("GET", "/events/extra", true)]
    [InlineData("POST", "/auth", false)]
    [InlineData("GET", "/admin", true)]
    [InlineData("GET", "/acl/history/1", true)]
    [InlineData("GET", "/openapi/v2.json", true)]
    public async Task An_unknown_route_is_404_not_found(string method, string path, bool withToken)
    {
        var client = withToken ? shared.Alice : shared.Server.Anonymous;

        using var response = await client.SendJsonAsync(new HttpMethod(method), path, null);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("DELETE", "/events", "GET")]
    [InlineData("PUT", "/events", "POST")]
    [InlineData("PATCH", "/acl", "PUT")]
    [InlineData("POST", "/acl/history", "GET")]
    [InlineData("DELETE", "/acl/explain", "GET")]
    [InlineData("GET", "/auth/token", "POST")]
    [InlineData("POST", "/health", "GET")]
    [InlineData("DELETE", "/admin/users", "POST")]
    [InlineData("GET", "/admin/users/user-alice", "PUT")]
    [InlineData("DELETE", "/admin/users/user-alice", "PUT")]
    public async Task A_wrong_method_is_405_method_not_allowed_naming_the_allowed_ones(string method, string path, string allowed)
    {
        using var response = await shared.Admin.SendJsonAsync(new HttpMethod(method), path, null);

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
        Assert.Contains(allowed, response.Content.Headers.Allow);
        Assert.Contains(await shared.Admin.GetUsersAsync(), u => u.Uuid == "user-alice");
    }

    [Fact]
    public async Task Health_is_200_ok_without_a_token()
    {
        using var response = await shared.Server.Anonymous.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("sqlite", body.RootElement.GetProperty("storage").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("version").GetString()));
    }
}
