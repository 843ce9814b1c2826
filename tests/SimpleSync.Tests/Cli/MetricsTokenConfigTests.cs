using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace SimpleSync.Tests.Cli;

/// <summary>serve with metrics.token_file: the files it refuses, what it warns about, and what it never logs.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class MetricsTokenConfigTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>What the file holds (null: there is no file) and what the one error line must name.</summary>
    public static TheoryData<string, string?, string[]> BadFiles => new()
    {
        { "no file", null, ["metrics.token_file", "does not exist"] },
        { "an empty file", "\n", ["metrics.token_file", "0 characters", "at least 32"] },
        { "a short secret", "0123456789abcdef\n", ["metrics.token_file", "16 characters", "at least 32"] },
        { "two words", "0123456789abcdef 0123456789abcdef0123456789abcdef\n", ["metrics.token_file", "without spaces"] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_metrics_token_file_stops_serve_with_exit_code_2_and_one_line_naming_the_key_and_the_file(
        string what, string? content, string[] named)
    {
        using var workspace = new CliWorkspace();
        var tokenFile = workspace.File("metrics-token");
        if (content is not null)
            WriteToken(tokenFile, content, OwnerOnly);

        var result = await workspace.RunAsync(["serve"], environment: new Dictionary<string, string?> { ["SIMPLESYNC_METRICS_TOKEN_FILE"] = "metrics-token" });

        result.AssertConfigRefused(what, [tokenFile, .. named]);
    }

    [Fact]
    public async Task The_secret_never_reaches_the_log_where_scrapes_show_as_the_metrics_token_and_a_file_others_can_read_is_warned_about()
    {
        using var workspace = new CliWorkspace("""
            [server]
            listen = "http://127.0.0.1:0"
            log_level = "info"
            [metrics]
            token_file = "metrics-token"
            """);
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var tokenFile = workspace.File("metrics-token");
        WriteToken(tokenFile, secret + "\n", OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var server = await workspace.ServeAsync();
        using var scraper = server.NewClient(secret);
        using (var scrape = await scraper.GetAsync("/metrics", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        using (var misused = await scraper.GetAsync("/sync?cursor=0", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Unauthorized, misused.StatusCode);

        Assert.True(await server.PrintsAsync($"{tokenFile}: the metrics token should be private to the user running the server, but it has mode 0644"), server.Stderr);
        Assert.True(await server.PrintsAsync("GET /metrics 200"), server.Stderr);
        Assert.True(await server.PrintsAsync("user=(metrics-token)"), server.Stderr);
        Assert.True(await server.PrintsAsync("it is the metrics token, which only GET /metrics accepts"), server.Stderr);
        Assert.True(await server.PrintsAsync("GET /sync/ 401"), server.Stderr);
        await server.StopAsync();
        Assert.DoesNotContain(secret, server.Stdout + server.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    private static void WriteToken(string path, string content, UnixFileMode mode)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
    }
}
