using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_parse_as_Prometheus_text_and_move_when_events_are_pushed()
    {
        await using var server = await LiveServer.StartAsync();
        await server.SetAclAsync(new AclRule("*", "task-*", "*", true));
        var (alice, client) = await server.NewUserAsync("alice");
        var before = Parse(await ScrapeAsync(client));

        await client.SyncAsync(0, TestEvents.New(alice), TestEvents.New(alice), TestEvents.New(alice, item: "secret"));
        await using (var stream = await SseClient.ConnectAsync(client, "/sync/stream"))
        {
            await stream.NextAsync(TimeSpan.FromSeconds(30));
            var during = Parse(await ScrapeAsync(client));
            Assert.Equal(1, during["simplesync_streams_open"]);
        }
        var after = Parse(await ScrapeAsync(client));

        Assert.Equal(0, before["simplesync_events_accepted_total"]);
        Assert.Equal(2, after["simplesync_events_accepted_total"]);
        Assert.Equal(1, after["simplesync_events_rejected_total{reason=\"acl_denied\"}"]);
        Assert.Equal(2, after["simplesync_history_events"]);
        Assert.True(after["simplesync_push_duration_seconds_count"] >= 1);
        Assert.True(after.Keys.Any(k => k.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
            && k.Contains("route=\"/sync/\"", StringComparison.Ordinal) && k.Contains("status=\"200\"", StringComparison.Ordinal)),
            "requests are counted by route and status");
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// A strict reading of the text exposition format: every line is a HELP or TYPE comment or a
    /// sample "name{labels} value"; every sample's family was declared with a TYPE first.
    /// </summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                Assert.True(types.TryAdd(type.Groups[1].Value, type.Groups[2].Value), $"TYPE declared twice: {line}");
                continue;
            }
            if (HelpLine().IsMatch(line))
                continue;
            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a Prometheus sample line: '{line}'");
            var name = sample.Groups[1].Value;
            var family = types.Keys.FirstOrDefault(f => name == f || (types[f] == "histogram" && name.StartsWith(f + "_", StringComparison.Ordinal)));
            Assert.True(family is not null, $"sample before its TYPE: '{line}'");
            var value = double.Parse(sample.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.True(samples.TryAdd(name + sample.Groups[2].Value, value), $"duplicate sample: '{line}'");
        }
        return samples;
    }

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*\})? (-?[0-9.eE+-]+|\+Inf|NaN)$")]
    private static partial Regex SampleLine();
}
