using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;
using SimpleSync.WebConsole;

namespace SimpleSync.Tests.Console;

/// <summary>
/// The web console's files at /console: served from the executable to anyone, each with the strict
/// CSP and its content type, revalidated by ETag; nothing outside the embedded set is reachable,
/// and the page loads nothing from elsewhere.
/// </summary>
public sealed partial class ConsoleTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Files() => [.. ConsoleFiles.Load().Keys];

    [Fact]
    public void The_console_is_embedded_with_its_page_script_and_style()
    {
        var files = ConsoleFiles.Load();

        Assert.Contains("index.html", files.Keys);
        Assert.Contains("app.js", files.Keys);
        Assert.Contains("style.css", files.Keys);
        Assert.Contains("pages/users.js", files.Keys);
    }

    [Theory]
    [InlineData("/console")]
    [InlineData("/console/")]
    public async Task The_index_is_served_at_console_with_or_without_a_slash_and_without_a_token(string path)
    {
        using var response = await shared.Server.Anonymous.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Contains("""<script type="module" src="/console/app.js"></script>""", await response.Content.ReadAsStringAsync(Ct));
        AssertSecurityHeaders(response);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_file_has_its_content_type_the_security_headers_and_an_etag_to_revalidate(string name)
    {
        using var response = await shared.Server.Anonymous.GetAsync($"/console/{name}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ExpectedType(name), response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ConsoleFiles.Load()[name].Content, await response.Content.ReadAsByteArrayAsync(Ct));
        AssertSecurityHeaders(response);
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task A_request_with_the_current_etag_is_304_and_one_with_another_is_200()
    {
        using var first = await shared.Server.Anonymous.GetAsync("/console/app.js", Ct);
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await shared.Server.Anonymous.SendAsync(again, Ct);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\"", isWeak: true));
        using var modified = await shared.Server.Anonymous.SendAsync(other, Ct);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(etag, notModified.Headers.ETag);
        AssertSecurityHeaders(notModified);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.NotEqual(etag, (await shared.Server.Anonymous.GetAsync("/console/style.css", Ct)).Headers.ETag);
    }

    [Fact]
    public async Task Head_answers_the_headers_of_get_without_the_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/console/app.js");
        using var response = await shared.Server.Anonymous.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ConsoleFiles.Load()["app.js"].Content.Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Text_files_are_compressed_for_a_client_that_accepts_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await shared.Server.Anonymous.SendAsync(request, Ct);

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        AssertSecurityHeaders(response);
    }

    [Theory]
    [InlineData("/console/nope.js")]
    [InlineData("/console/pages/")]
    [InlineData("/console/index.html/")]
    [InlineData("/console/INDEX.HTML")]
    public async Task An_unknown_file_is_404_not_found_with_the_security_headers(string path)
    {
        using var response = await shared.Server.Anonymous.GetAsync(path, Ct);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Other_methods_are_405_naming_get_and_head()
    {
        using var response = await shared.Admin.PostAsync("/console/app.js", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order());
    }

    /// <summary>Sent as raw request lines: HttpClient would resolve the dot segments before sending.</summary>
    [Theory]
    [InlineData("/console/../simple-sync.dll")]
    [InlineData("/console/..%2Fsimple-sync.dll")]
    [InlineData("/console/..%2fsimple-sync.runtimeconfig.json")]
    [InlineData("/console/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd")]
    [InlineData("/console/pages/../../Console/ConsoleEndpoints.cs")]
    [InlineData("/console/..\\simple-sync.dll")]
    [InlineData("/console/%5c..%5csimple-sync.dll")]
    [InlineData("/console//etc/passwd")]
    [InlineData("/console/www/index.html")]
    [InlineData("/console/SimpleSync.Console/index.html")]
    [InlineData("/console/pages%2fusers.js")]
    public async Task No_spelling_of_a_path_reaches_a_file_outside_the_embedded_set(string target)
    {
        var (status, headers, body) = await RawGetAsync(target);

        Assert.True(status == 404, $"{target}: {status} {body}");
        Assert.StartsWith("application/problem+json", headers["content-type"]);
        Assert.Equal(ErrorCodes.NotFound, JsonNode.Parse(body)!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_index_loads_only_the_consoles_own_files()
    {
        var index = Encoding.UTF8.GetString(ConsoleFiles.Load()["index.html"].Content);
        var references = SourceOrLink().Matches(index).Select(m => m.Groups["url"].Value).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, url => Assert.Matches("^(/console/[a-z0-9/._-]+|#/[a-z]+)$", url));
        using var response = await shared.Server.Anonymous.GetAsync("/console/", Ct);
        Assert.DoesNotContain("http:", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public void No_script_or_style_names_another_origin()
    {
        var imports = 0;
        foreach (var (name, file) in ConsoleFiles.Load().Where(f => f.Key.EndsWith(".js", StringComparison.Ordinal) || f.Key.EndsWith(".css", StringComparison.Ordinal)))
        {
            var text = Encoding.UTF8.GetString(file.Content);
            Assert.False(text.Contains("http:", StringComparison.Ordinal) || text.Contains("https:", StringComparison.Ordinal), $"{name} names a URL");
            var modules = ImportedModule().Matches(text);
            Assert.All(modules, m => Assert.Matches("^\\.\\.?/", m.Groups["module"].Value));
            imports += modules.Count;
        }
        Assert.True(imports >= 10, $"only {imports} imports were found");
    }

    [Fact]
    public async Task The_console_is_not_in_the_openapi_document()
    {
        var document = await shared.Admin.GetStringAsync("/openapi/v1.json", Ct);

        Assert.DoesNotContain("/console", JsonNode.Parse(document)!["paths"]!.AsObject().Select(p => p.Key));
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal(ConsoleEndpoints.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("default-src 'none'", ConsoleEndpoints.ContentSecurityPolicy);
        Assert.Contains("script-src 'self';", ConsoleEndpoints.ContentSecurityPolicy);
        Assert.Contains("frame-ancestors 'none'", ConsoleEndpoints.ContentSecurityPolicy);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static string ExpectedType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html",
        ".js" => "text/javascript",
        ".css" => "text/css",
        ".svg" => "image/svg+xml",
        var other => throw new InvalidOperationException($"no expected content type for {other}"),
    };

    /// <summary>One GET with exactly this request target, over a socket of its own.</summary>
    private async Task<(int Status, Dictionary<string, string> Headers, string Body)> RawGetAsync(string target)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(shared.Server.BaseAddress.Host, shared.Server.BaseAddress.Port, Ct);
        await using var stream = socket.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {shared.Server.BaseAddress.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(Ct);
        var split = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = answer[..split].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var body = answer[(split + 4)..];
        if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
            body = Unchunk(body);
        return (int.Parse(lines[0].Split(' ')[1]), headers, body);
    }

    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        for (; ; )
        {
            var end = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..end], 16);
            if (size == 0)
                return body.ToString();
            body.Append(chunked, end + 2, size);
            at = end + 2 + size + 2;
        }
    }

    [GeneratedRegex("""^import\s[^;]*?\sfrom\s+"(?<module>[^"]+)";|\bimport\(\s*["'](?<module>[^"']+)""", RegexOptions.Multiline)]
    private static partial Regex ImportedModule();

    [GeneratedRegex("""(?:src|href)\s*=\s*"(?<url>[^"]*)"|(?:src|href)\s*=\s*'(?<url>[^']*)'""")]
    private static partial Regex SourceOrLink();
}
