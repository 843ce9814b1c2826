using System.Net;
using System.Net.Http.Json;
using SimpleSync.Protocol;
using SimpleSync.Testing;

namespace SimpleSync.Tests;

/// <summary>
/// X-Forwarded-For and Forwarded are believed only from server.trusted_proxies, so a client
/// behind a proxy is throttled by its own address and cannot choose one by sending the header.
/// </summary>
public sealed class TrustedProxyTests
{
    private static Task<LiveServer> StartAsync(params string[] trusted) =>
        LiveServer.StartAsync(o => o with
        {
            Server = o.Server with { TrustedProxies = [.. trusted.Select(IPNetwork.Parse)] },
            Auth = o.Auth with { LoginMaxFailures = 3 },
        });

    private static async Task<HttpStatusCode> LoginAsync(LiveServer server, string username, string password, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token") { Content = JsonContent.Create(new TokenRequest(username, password)) };
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>Three failures for three different users, so that only the address limit can be what answers 429 next.</summary>
    private static async Task FailThreeTimesAsync(LiveServer server, string header, string value)
    {
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(server, $"nobody{i}", "wrong-password", header, value));
    }

    [Fact]
    public async Task Without_trusted_proxies_forwarded_headers_are_ignored()
    {
        await using var server = await StartAsync();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(server, $"nobody{i}", "wrong-password", "X-Forwarded-For", $"203.0.113.{i}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(server, "admin", server.AdminPassword, "X-Forwarded-For", "198.51.100.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(server, "admin", server.AdminPassword, "Forwarded", "for=198.51.100.7"));
    }

    /// <summary>
    /// Behind the trusted proxies, one client fails three times with <c>Failing</c>; then a request
    /// with <c>Limited</c> is that same client (429) and one with <c>Free</c> another client (200).
    /// </summary>
    public sealed record Scenario(string Trusted, (string Header, string Value) Failing, (string Header, string Value) Limited,
        (string Header, string Value) Free);

    public static TheoryData<string, Scenario> Scenarios() => new()
    {
        {
            "one client's failures do not lock out another",
            new("127.0.0.1/32", ("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-For", "198.51.100.7"))
        },
        {
            // nginx appends the address it saw to whatever the client sent: the hop left of it is the client's own claim.
            "a client cannot pick its address by sending X-Forwarded-For through the proxy",
            new("127.0.0.1/32", ("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-For", "198.51.100.7, 203.0.113.5"), ("X-Forwarded-For", "198.51.100.7"))
        },
        {
            "every trusted hop is unwrapped",
            new("127.0.0.1/32,10.0.0.0/8", ("X-Forwarded-For", "203.0.113.5, 10.1.2.3"), ("X-Forwarded-For", "203.0.113.5"),
                ("X-Forwarded-For", "198.51.100.7, 10.1.2.3"))
        },
        {
            "the standard Forwarded header of a trusted proxy is read too",
            new("127.0.0.1/32", ("Forwarded", "for=\"[2001:db8:5::1]:4711\";proto=https"), ("X-Forwarded-For", "2001:db8:5::99"),
                ("Forwarded", "for=192.0.2.60;proto=https"))
        },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Behind_a_trusted_proxy_the_throttle_counts_by_the_forwarded_client_address(string what, Scenario scenario)
    {
        await using var server = await StartAsync(scenario.Trusted.Split(','));
        await FailThreeTimesAsync(server, scenario.Failing.Header, scenario.Failing.Value);

        Assert.True(HttpStatusCode.TooManyRequests == await LoginAsync(server, "admin", server.AdminPassword, scenario.Limited.Header, scenario.Limited.Value), what);
        Assert.True(HttpStatusCode.OK == await LoginAsync(server, "admin", server.AdminPassword, scenario.Free.Header, scenario.Free.Value), what);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "not-an-address")]
    [InlineData("X-Forwarded-For", ", , ,")]
    [InlineData("X-Forwarded-For", "[::1")]
    [InlineData("Forwarded", "for=")]
    [InlineData("Forwarded", "for=\"[2001:db8::1\";;;=")]
    [InlineData("Forwarded", "for=_hidden, for=unknown")]
    [InlineData("X-Forwarded-Proto", "ht tp://")]
    public async Task Malformed_forwarded_headers_from_a_trusted_proxy_are_not_a_server_error(string header, string value)
    {
        await using var server = await StartAsync("127.0.0.1/32");

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(server, "admin", server.AdminPassword, header, value));
    }
}
