using System.Net;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

/// <summary>
/// The server's own TLS (server.tls_certificate, server.tls_key): HTTP/2 and HTTP/1.1 chosen by
/// ALPN, live streams sharing one HTTP/2 connection, and renewed files presented without a restart.
/// </summary>
public sealed class TlsTests
{
    // Real time, only against a hang: nothing here depends on the machine's speed.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static async Task<(LiveServer Server, TestCertificate Certificate, string CertificateFile, string KeyFile)> StartAsync(
        TempDir dir, Action<byte[]>? presented = null)
    {
        var certificate = TestCertificate.Create();
        var (certificateFile, keyFile) = certificate.Write(dir.Path);
        var server = await LiveServer.StartAsync(
            options => options with
            {
                Server = options.Server with { Listen = "https://127.0.0.1:0", TlsCertificate = certificateFile, TlsKey = keyFile },
            },
            dir: dir,
            handlers: () => certificate.Handler(presented));
        return (server, certificate, certificateFile, keyFile);
    }

    private static HttpClient Http2Client(LiveServer server, TestCertificate certificate, string? token = null, ConnectionCount? connections = null)
    {
        var client = new HttpClient(new Http2Only(certificate.Handler(connections: connections))) { BaseAddress = server.BaseAddress, Timeout = Wait };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Https_answers_HTTP2_when_the_client_asks_for_it_and_HTTP1_when_it_does_not()
    {
        using var dir = new TempDir();
        var (server, certificate, _, _) = await StartAsync(dir);
        await using var _ = server;
        Assert.Equal("https", server.BaseAddress.Scheme);
        using var http2 = Http2Client(server, certificate);

        using var overHttp2 = await http2.GetAsync("/health", TestContext.Current.CancellationToken);
        using var overHttp1 = await server.Anonymous.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, overHttp2.StatusCode);
        Assert.Equal(HttpVersion.Version20, overHttp2.Version);
        Assert.Equal(HttpStatusCode.OK, overHttp1.StatusCode);
        Assert.Equal(HttpVersion.Version11, overHttp1.Version);
    }

    [Fact]
    public async Task Answers_over_https_are_compressed_when_the_client_asks()
    {
        using var dir = new TempDir();
        var (server, _, _, _) = await StartAsync(dir);
        await using var _ = server;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.AcceptEncoding.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue("gzip"));

        using var response = await server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Several_live_streams_and_a_push_share_one_HTTP2_connection()
    {
        using var dir = new TempDir();
        var (server, certificate, _, _) = await StartAsync(dir);
        await using var _ = server;
        await server.AllowAllAsync();
        var (alice, _) = await server.NewUserAsync("alice");
        var connections = new ConnectionCount();
        using var tabs = Http2Client(server, certificate, await server.LoginAsync("alice", LiveServer.PasswordOf("alice")), connections);
        // The connection exists before the streams start, so none of them waits on a handshake of its own.
        using (var health = await tabs.GetAsync("/health", TestContext.Current.CancellationToken))
            Assert.Equal(HttpVersion.Version20, health.Version);

        // As many as one user may open: the tabs of a browser that share its one connection.
        var streams = await Task.WhenAll(Enumerable.Range(0, server.Options.Sync.MaxStreamsPerUser)
            .Select(_ => SseClient.ConnectAsync(tabs, "/sync/stream?cursor=0")));
        try
        {
            foreach (var stream in streams)
            {
                Assert.Equal(HttpVersion.Version20, stream.Response.Version);
                await stream.NextOfTypeAsync("hello", Wait);
            }
            var pushed = TestEvents.New(alice);
            var answer = await tabs.SyncAsync(0, pushed);

            Assert.Equal(1, answer.Cursor);
            foreach (var stream in streams)
                Assert.Equal([pushed], (await stream.NextOfTypeAsync("events", Wait)).Events());
            Assert.Equal(1, connections.Opened);
        }
        finally
        {
            foreach (var stream in streams)
                await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Renewed_files_are_presented_to_new_connections_without_a_restart_and_a_half_renewal_keeps_the_old_pair()
    {
        using var dir = new TempDir();
        var seen = new List<byte[]>();
        var (server, first, certificateFile, keyFile) = await StartAsync(dir, presented: raw =>
        {
            lock (seen)
                seen.Add(raw);
        });
        await using var _ = server;
        var renewed = TestCertificate.Create("simple-sync test renewed");

        // A renewal caught half way, the certificate replaced before its key: the pair does not
        // match, so the server goes on presenting the old one rather than failing handshakes.
        await File.WriteAllTextAsync(certificateFile, renewed.CertificatePem, TestContext.Current.CancellationToken);
        var halfway = await PresentedAsync(server, seen);
        TestCertificate.WriteKey(keyFile, renewed.KeyPem);
        var after = await PresentedAsync(server, seen);

        Assert.Equal(first.Raw, halfway);
        Assert.Equal(renewed.Raw, after);
    }

    /// <summary>What the server presents to a new connection (a new client, so no connection is reused).</summary>
    private static async Task<byte[]> PresentedAsync(LiveServer server, List<byte[]> seen)
    {
        lock (seen)
            seen.Clear();
        using var client = server.NewClient();
        try
        {
            using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException)
        {
            // The renewed certificate is not the one the client trusts: it was seen all the same.
        }
        lock (seen)
            return Assert.Single(seen);
    }

    [Fact]
    public async Task Plain_http_speaks_HTTP1_only()
    {
        await using var server = await LiveServer.StartAsync();
        using var client = new HttpClient(new Http2Only(new SocketsHttpHandler())) { BaseAddress = server.BaseAddress, Timeout = Wait };

        using var overHttp1 = await server.Anonymous.GetAsync("/health", TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/health", TestContext.Current.CancellationToken));

        Assert.Equal(HttpVersion.Version11, overHttp1.Version);
    }
}
