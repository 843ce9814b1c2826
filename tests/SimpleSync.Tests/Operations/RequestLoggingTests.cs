using System.Text.RegularExpressions;
using SimpleSync.Protocol;
using SimpleSync.Tests.Cli;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

public sealed partial class RequestLoggingTests
{
    [Fact]
    public async Task Each_request_is_logged_with_its_id_route_status_user_and_outcome_but_never_a_secret()
    {
        using var workspace = new CliWorkspace("""
            [server]
            listen = "http://127.0.0.1:0"
            log_level = "info"
            """);
        string token, password = "pw-of-logging-user-7Qx", payload = "{\"marker\":\"PAYLOAD-9d2f\"}";
        await using (var server = await workspace.ServeAsync())
        {
            var admin = await server.AdminAsync(workspace);
            await admin.PutAclAsync(new AclRule("*", "*", "*", true));
            await admin.CreateUserAsync("u-logger", "logger", password);
            token = await server.LoginAsync("logger", password);
            var client = server.NewClient(token);
            await client.SyncAsync(0, TestEvents.New("u-logger", payload: payload));
            var forged = server.NewClient(token[..^4] + "AAAA");
            (await forged.GetAsync("/sync?cursor=0", TestContext.Current.CancellationToken)).Dispose();
            (await client.GetAsync("/sync?cursor=oops", TestContext.Current.CancellationToken)).Dispose();
            (await server.PostTokenAsync("logger", "not-the-password")).Dispose();
            Assert.Equal(0, await server.StopAsync());

            var lines = server.Stderr.Split('\n').Where(l => l.Contains("SimpleSync.Requests", StringComparison.Ordinal)).ToList();
            var push = Assert.Single(lines, l => l.Contains("POST /sync/ 200", StringComparison.Ordinal));
            Assert.Matches(RequestLine(), push);
            Assert.Contains("user=u-logger", push, StringComparison.Ordinal);
            Assert.Contains("outcome=ok", push, StringComparison.Ordinal);
            var refused = Assert.Single(lines, l => l.Contains("GET /sync/ 401", StringComparison.Ordinal));
            Assert.Contains("user=- outcome=unauthenticated", refused, StringComparison.Ordinal);
            // Errors raised inside an endpoint keep its route.
            Assert.Contains(lines, l => l.Contains("GET /sync/ 400", StringComparison.Ordinal) && l.Contains("outcome=invalid", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("POST /auth/token 401", StringComparison.Ordinal) && l.Contains("outcome=unauthenticated", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("(no route)", StringComparison.Ordinal));

            var everything = server.Stdout + server.Stderr;
            Assert.DoesNotContain(password, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(workspace.AdminPassword, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[2], everything, StringComparison.Ordinal);
            Assert.DoesNotContain("PAYLOAD-9d2f", everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_log_shows_the_forwarded_client_address()
    {
        using var workspace = new CliWorkspace("""
            [server]
            listen = "http://127.0.0.1:0"
            log_level = "info"
            trusted_proxies = ["127.0.0.1"]
            """);
        await using var server = await workspace.ServeAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        (await server.NewClient().SendAsync(request, TestContext.Current.CancellationToken)).Dispose();
        Assert.Equal(0, await server.StopAsync());

        Assert.Contains(server.Stderr.Split('\n'), l => l.Contains("GET /health 200", StringComparison.Ordinal)
            && l.Contains("client=203.0.113.9 ", StringComparison.Ordinal));
    }

    // request id, method, route pattern, status, duration, client address.
    [GeneratedRegex(@"SimpleSync\.Requests\[1\] \S+:\S+ POST /sync/ 200 \d+\.\dms client=127\.0\.0\.1 user=\S+ outcome=\S+")]
    private static partial Regex RequestLine();
}
