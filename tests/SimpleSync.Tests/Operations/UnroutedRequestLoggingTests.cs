using System.Net.Sockets;
using System.Text;
using SimpleSync.Testing;
using SimpleSync.Tests.Cli;

namespace SimpleSync.Tests.Operations;

/// <summary>
/// A request that matched no route is logged with its path, which the client chose: the path is
/// escaped and cut so that it cannot forge a line or a field, and its query string stays out.
/// </summary>
public sealed class UnroutedRequestLoggingTests
{
    private const string LoggingConfig = """
        [server]
        listen = "http://127.0.0.1:0"
        log_level = "info"
        """;

    /// <summary>Sends <paramref name="target"/> exactly as given (HttpClient would normalise it); returns the status line.</summary>
    private static async Task<string> SendRawAsync(Uri server, string target)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port, TestContext.Current.CancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nX-Secret-Header: HEADER-SECRET-5c1e\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(TestContext.Current.CancellationToken) ?? "";
    }

    private static List<string> RequestLines(ServerProcess server) =>
        [.. server.Stderr.Split('\n').Where(l => l.Contains("SimpleSync.Requests", StringComparison.Ordinal))];

    [Fact]
    public async Task An_unrouted_request_is_logged_with_its_path_and_client_address_but_not_its_query_or_headers()
    {
        using var workspace = new CliWorkspace(LoggingConfig);
        await using var server = await workspace.ServeAsync();

        var status = await SendRawAsync(server.BaseAddress, "/no-such/place?password=QUERY-SECRET-41ab&x=1");
        Assert.Equal(0, await server.StopAsync());

        Assert.StartsWith("HTTP/1.1 404", status, StringComparison.Ordinal);
        var line = Assert.Single(RequestLines(server), l => l.Contains("(no route)", StringComparison.Ordinal));
        Assert.Contains(" GET (no route) /no-such/place 404 ", line, StringComparison.Ordinal);
        Assert.Contains("client=127.0.0.1 user=- outcome=not_found", line, StringComparison.Ordinal);
        Assert.DoesNotContain("QUERY-SECRET-41ab", server.Stdout + server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("HEADER-SECRET-5c1e", server.Stdout + server.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    // A line break followed by what looks like another request's line.
    [InlineData("/x%0D%0A2030-01-01T00:00:00.000Z%20info:%20SimpleSync.Requests%5B1%5D%20forged%20GET%20/sync/%20200",
        "/x%0D%0A2030-01-01T00:00:00.000Z%20info:%20SimpleSync.Requests%5B1%5D%20forged%20GET%20/sync/%20200")]
    // Spaces that would make the path look like more fields, a terminal escape, a tab.
    [InlineData("/y%20200%200.1ms%20client=10.9.9.9%20user=admin%20outcome=ok%1B%5B2J%09forged",
        "/y%20200%200.1ms%20client=10.9.9.9%20user=admin%20outcome=ok%1B%5B2J%09forged")]
    // Characters that reorder or hide text on a terminal.
    [InlineData("/z%E2%80%AEforged%E2%80%8B", "/z%E2%80%AEforged%E2%80%8B")]
    public async Task A_crafted_path_is_logged_escaped_on_one_line_of_its_own(string target, string logged)
    {
        using var workspace = new CliWorkspace(LoggingConfig);
        await using var server = await workspace.ServeAsync();

        var status = await SendRawAsync(server.BaseAddress, target);
        Assert.Equal(0, await server.StopAsync());

        Assert.StartsWith("HTTP/1.1 404", status, StringComparison.Ordinal);
        var forged = server.Stderr.Split('\n').Where(l => l.Contains("forged", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(forged);
        Assert.Contains($" GET (no route) {logged} 404 ", line, StringComparison.Ordinal);
        Assert.EndsWith("client=127.0.0.1 user=- outcome=not_found", line.TrimEnd('\r'), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Stderr, c => char.IsControl(c) && c is not '\n' and not '\r');
        Assert.DoesNotContain(server.Stderr, c => c > '\u007e' && c != '…');
    }

    [Fact]
    public async Task A_long_path_is_cut_in_the_log_and_marked_as_cut()
    {
        using var workspace = new CliWorkspace(LoggingConfig);
        await using var server = await workspace.ServeAsync();
        // Each 'é' is six characters once escaped (%C3%A9): the cut must not split an escape.
        var target = "/long-" + string.Concat(Enumerable.Repeat("%C3%A9", 1000));

        var status = await SendRawAsync(server.BaseAddress, target);
        Assert.Equal(0, await server.StopAsync());

        Assert.StartsWith("HTTP/1.1 404", status, StringComparison.Ordinal);
        var line = Assert.Single(RequestLines(server), l => l.Contains("/long-", StringComparison.Ordinal));
        var path = line.Split(' ').Single(w => w.StartsWith("/long-", StringComparison.Ordinal));
        Assert.EndsWith("%C3%A9…", path, StringComparison.Ordinal);
        Assert.InRange(path.Length, 190, 201);
    }
}
