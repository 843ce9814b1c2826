using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

/// <summary>metrics.token_file: a secret that reads GET /metrics, never expires, and reads nothing else.</summary>
public sealed class MetricsTokenTests
{
    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    private static void WriteSecret(string path, string secret)
    {
        File.WriteAllText(path, secret + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>A server whose metrics.token_file, in its data directory, holds <paramref name="secret"/>.</summary>
    private static async Task<(LiveServer Server, string TokenFile)> StartAsync(string secret)
    {
        var server = await LiveServer.StartAsync(options =>
        {
            var tokenFile = Path.Combine(Path.GetDirectoryName(options.Storage.SqlitePath)!, "metrics-token");
            WriteSecret(tokenFile, secret);
            return options with { Metrics = options.Metrics with { TokenFile = tokenFile } };
        });
        return (server, server.Options.Metrics.TokenFile!);
    }

    private static async Task<HttpStatusCode> ScrapeAsync(LiveServer server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_scrape_with_the_metrics_token_reads_the_metrics()
    {
        var secret = NewSecret();
        var (server, _) = await StartAsync(secret);
        await using var _ = server;

        using var client = server.NewClient(secret);
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("simplesync_history_events ", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_metrics_token_is_401_on_every_other_endpoint_that_needs_a_token()
    {
        var secret = NewSecret();
        var (server, _) = await StartAsync(secret);
        await using var _ = server;
        using var scraper = server.NewClient(secret);
        // Every endpoint the server maps, so that one added later is covered too.
        var endpoints = ((IEndpointRouteBuilder)server.App).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is not null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => (Method: e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods[0], Path: Concrete(e.RoutePattern.RawText!)))
            .Where(e => e.Path != "/metrics")
            .ToList();
        Assert.Contains(("GET", "/sync/stream"), endpoints);
        Assert.Contains(("POST", "/events"), endpoints);
        Assert.Contains(("GET", "/admin/users"), endpoints);

        foreach (var (method, path) in endpoints)
        {
            using var response = await scraper.SendJsonAsync(new HttpMethod(method), path, method == "GET" ? null : "{}");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode} to the metrics token");
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        }
    }

    /// <summary>A route pattern as a path, with a value for each parameter: /admin/users/{uuid} becomes /admin/users/x, /events/ becomes /events.</summary>
    private static string Concrete(string pattern) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(pattern.Trim('/'), @"\{[^}]*\}", "x");

    [Fact]
    public async Task A_token_that_is_not_the_secret_is_refused_on_metrics()
    {
        var secret = NewSecret();
        var (server, _) = await StartAsync(secret);
        await using var _ = server;
        var sameLength = secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A');

        foreach (var wrong in new[] { sameLength, secret[..^1], secret + "0", secret.ToLowerInvariant(), "not-a-token" })
            Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeAsync(server, wrong));
        Assert.Equal(HttpStatusCode.OK, await ScrapeAsync(server, secret));
    }

    [Fact]
    public async Task A_user_token_still_reads_the_metrics_when_a_metrics_token_is_set()
    {
        var (server, _) = await StartAsync(NewSecret());
        await using var _ = server;
        var (_, alice) = await server.NewUserAsync("alice");

        using var response = await alice.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Replacing_the_token_file_changes_the_secret_at_the_next_scrape_and_spoiling_it_accepts_no_secret()
    {
        var first = NewSecret();
        var (server, tokenFile) = await StartAsync(first);
        await using var _ = server;
        Assert.Equal(HttpStatusCode.OK, await ScrapeAsync(server, first));
        var second = NewSecret();

        WriteSecret(tokenFile, second);
        var (firstAfter, secondAfter) = (await ScrapeAsync(server, first), await ScrapeAsync(server, second));
        WriteSecret(tokenFile, "too-short");
        var (secondSpoiled, shortSpoiled) = (await ScrapeAsync(server, second), await ScrapeAsync(server, "too-short"));

        Assert.Equal(HttpStatusCode.Unauthorized, firstAfter);
        Assert.Equal(HttpStatusCode.OK, secondAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, secondSpoiled);
        Assert.Equal(HttpStatusCode.Unauthorized, shortSpoiled);
    }
}
