using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

public sealed class CompressionTests
{
    [Fact]
    public async Task A_gzip_compressed_push_of_10000_events_is_accepted()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var events = Enumerable.Range(0, 10_000).Select(i => TestEvents.New(alice, item: $"task-{i % 50}", payload: $"{{\"n\":{i}}}")).ToArray();
        var json = Encoding.UTF8.GetBytes(SyncApi.Body(0, events));
        var gzip = Gzip(json);
        Assert.True(gzip.Length * 4 < json.Length, $"{gzip.Length} compressed bytes from {json.Length}");

        using var response = await client.PostAsync("/sync", Compressed(gzip), TestContext.Current.CancellationToken);
        var answer = await SyncApi.ReadAsync(response);

        Assert.Equal(10_000, answer.Results!.Count(r => r.Status == PushStatuses.Accepted));
        Assert.Equal(10_000, answer.Cursor);
    }

    [Fact]
    public async Task A_gzip_body_that_expands_past_the_limit_is_413_and_stores_nothing()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Limits = o.Limits with { MaxBodyBytes = 1024 * 1024 } });
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        // A valid push padded with 64 MB of JSON whitespace: about 64 KB compressed.
        var head = Encoding.UTF8.GetBytes($"{{\"cursor\":0,\"events\":{TestEvents.ToJson([TestEvents.New(alice)])}");
        var bomb = Gzip([.. head, .. new byte[64 * 1024 * 1024].Select(_ => (byte)' '), .. "}"u8.ToArray()]);
        Assert.True(bomb.Length < 1024 * 1024);

        using var response = await client.PostAsync("/sync", Compressed(bomb), TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
        Assert.Empty((await client.PullAsync(0)).Events);
    }

    /// <summary>Bodies whose bytes are not what their Content-Encoding says, each named by how.</summary>
    public static TheoryData<string, string> BodiesNotInTheirEncoding() => new()
    {
        { "gzip", "plain JSON" },
        { "gzip", "gzip with an unknown compression method" },
        { "deflate", "raw deflate, without the zlib header HTTP's deflate has" },
        { "br", "plain JSON" },
    };

    [Theory]
    [MemberData(nameof(BodiesNotInTheirEncoding))]
    public async Task A_body_not_in_its_content_encoding_is_400_invalid_on_every_endpoint_and_changes_nothing(string encoding, string form)
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var admin = await server.AdminAsync();
        var acl = await admin.GetAclJsonAsync();
        var changes = (await admin.GetAclHistoryAsync()).Count;
        (HttpClient Client, HttpMethod Method, string Path, string Json)[] requests =
        [
            (client, HttpMethod.Post, "/sync", SyncApi.Body(0, [TestEvents.New(alice)])),
            (client, HttpMethod.Post, "/events", TestEvents.ToJson([TestEvents.New(alice)])),
            (server.Anonymous, HttpMethod.Post, "/auth/token", """{"username":"alice","password":"pw-alice-secret"}"""),
            (admin, HttpMethod.Put, "/acl", """{"rules":[]}"""),
        ];

        foreach (var (who, method, path, json) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(Mangle(form, Encoding.UTF8.GetBytes(json))) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Content.Headers.ContentEncoding.Add(encoding);

            using var response = await who.SendAsync(request, TestContext.Current.CancellationToken);

            await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        }
        Assert.Empty(await client.GetHistoryAsync());
        Assert.Equal(acl, await admin.GetAclJsonAsync());
        Assert.Equal(changes, (await admin.GetAclHistoryAsync()).Count);
    }

    private static byte[] Mangle(string form, byte[] json)
    {
        switch (form)
        {
            case "plain JSON":
                return json;
            case "gzip with an unknown compression method":
                var gzip = Gzip(json);
                gzip[2] = 7; // CM: 8 is deflate, the only method gzip defines
                return gzip;
            default:
                using (var output = new MemoryStream())
                {
                    using (var deflate = new DeflateStream(output, CompressionLevel.Optimal))
                        deflate.Write(json);
                    return output.ToArray();
                }
        }
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Answers_are_compressed_when_the_client_accepts_it(string encoding)
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        await client.SyncAsync(0, Enumerable.Range(0, 200).Select(_ => TestEvents.New(alice)).ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task A_live_stream_is_never_compressed()
    {
        await using var server = await LiveServer.StartAsync();
        var (_, client) = await server.NewUserAsync("alice");
        client.DefaultRequestHeaders.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        await using var stream = await SseClient.ConnectAsync(client, "/sync/stream");

        Assert.Empty(stream.Response.Content.Headers.ContentEncoding);
        Assert.Equal("hello", (await stream.NextAsync(TimeSpan.FromSeconds(30)))!.Event);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(data);
        return output.ToArray();
    }

    private static ByteArrayContent Compressed(byte[] gzip)
    {
        var content = new ByteArrayContent(gzip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }
}
