using System.Net;
using SimpleSync.Config;
using SimpleSync.Testing;

namespace SimpleSync.Tests;

/// <summary>
/// Web apps on other origins may call the API only from the origins in server.cors_origins: every
/// route answers their preflight, and their scripts can read the protocol's headers, errors included.
/// </summary>
public sealed class BrowserAccessTests
{
    private const string App = "https://app.example.com";
    private static readonly string[] RequestHeaders = ["authorization", "content-type", "content-encoding", "last-event-id", "sync-device", "sync-client"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<LiveServer> StartAsync(params string[] origins) =>
        LiveServer.StartAsync(o => o with { Server = o.Server with { CorsOrigins = origins } });

    private static async Task<HttpResponseMessage> PreflightAsync(LiveServer server, string method, string path, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        // What the SDKs send: their own identity headers beside the protocol's.
        request.Headers.Add("Access-Control-Request-Headers", string.Join(", ", RequestHeaders));
        return await server.Anonymous.SendAsync(request, Ct);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    public static TheoryData<string, string> Routes() => new()
    {
        { "POST", "/auth/token" }, { "GET", "/events" }, { "POST", "/events" }, { "GET", "/sync" }, { "POST", "/sync" },
        { "GET", "/sync/stream" }, { "GET", "/acl" }, { "PUT", "/acl" }, { "GET", "/acl/history" }, { "GET", "/acl/explain" },
        { "GET", "/admin/users" },         { "POST", "/admin/users" }, { "PUT", "/admin/users/u-1" }, { "GET", "/metrics" }, { "GET", "/health" }, { "GET", "/openapi/v1.json" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_answers_a_preflight_from_a_listed_origin(string method, string path)
    {
        await using var server = await StartAsync(App);

        using var response = await PreflightAsync(server, method, path, App);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(App, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods")!, StringComparison.Ordinal);
        var allowed = Header(response, "Access-Control-Allow-Headers")!.ToLowerInvariant();
        Assert.All(RequestHeaders, h => Assert.Contains(h, allowed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Answers_and_errors_to_a_listed_origin_let_its_scripts_read_the_protocol_headers()
    {
        await using var server = await StartAsync(App, "http://localhost:5173");
        var (_, alice) = await server.NewUserAsync("alice");

        foreach (var (client, path, status) in new[]
        {
            (alice, "/sync?cursor=0", HttpStatusCode.OK),
            (alice, "/sync?cursor=oops", HttpStatusCode.BadRequest),
            (server.Anonymous, "/sync?cursor=0", HttpStatusCode.Unauthorized),
        })
        {
            foreach (var origin in new[] { App, "http://localhost:5173" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("Origin", origin);
                using var response = await client.SendAsync(request, Ct);

                Assert.Equal(status, response.StatusCode);
                Assert.Equal(origin, Header(response, "Access-Control-Allow-Origin"));
                var exposed = Header(response, "Access-Control-Expose-Headers")!;
                Assert.All(new[] { "Sync-Cursor", "Sync-Rejected", "Retry-After" }, h => Assert.Contains(h, exposed, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task Other_origins_and_a_server_without_cors_origins_get_no_cross_origin_access()
    {
        await using var listed = await StartAsync(App);
        await using var closed = await StartAsync();

        foreach (var (server, origin) in new[] { (listed, "https://evil.example.com"), (listed, "http://app.example.com"), (closed, App) })
        {
            using var preflight = await PreflightAsync(server, "POST", "/sync", origin);
            Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.Add("Origin", origin);
            using var answer = await server.Anonymous.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Null(Header(answer, "Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task A_star_lets_any_origin_in_without_credentials()
    {
        await using var server = await StartAsync("*");

        using var response = await PreflightAsync(server, "POST", "/sync", "https://anywhere.example");

        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public void Origins_in_the_config_are_kept_as_scheme_host_and_port()
    {
        var options = ConfigLoader.Load(null,
            new Dictionary<string, string> { ["SIMPLESYNC_SERVER_CORS_ORIGINS"] = "https://App.Example.com/, http://localhost:5173, *" });

        Assert.Equal(["https://app.example.com", "http://localhost:5173", "*"], options.Server.CorsOrigins);
    }

    [Theory]
    [InlineData("app.example.com")]
    [InlineData("https://app.example.com/path")]
    [InlineData("https://app.example.com?x=1")]
    [InlineData("ftp://app.example.com")]
    [InlineData("https://*.example.com")]
    public void A_cors_origin_that_is_not_an_origin_stops_start_up_naming_the_key(string origin)
    {
        var refused = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null,
            new Dictionary<string, string> { ["SIMPLESYNC_SERVER_CORS_ORIGINS"] = $"https://ok.example.com, {origin}" }));
        Assert.Contains("SIMPLESYNC_SERVER_CORS_ORIGINS", refused.Message, StringComparison.Ordinal);
    }
}
