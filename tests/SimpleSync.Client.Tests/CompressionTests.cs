using System.Net;
using SimpleSync.Client.Tests.Support;

namespace SimpleSync.Client.Tests;

/// <summary>
/// Answers travel compressed: the SDK asks for Brotli or gzip on every JSON request and decodes
/// the answer itself, whatever the app's HttpClient does, so a first sync of a long history costs
/// a fraction of its JSON on the network.
/// </summary>
public sealed class CompressionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Counts what arrives on the wire, before any decoding, per answer.</summary>
    private sealed class WireMeter() : DelegatingHandler(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        public List<(string? Encoding, long Bytes)> Answers { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (request.RequestUri!.AbsolutePath == "/sync")
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                Answers.Add((response.Content.Headers.ContentEncoding.SingleOrDefault(), bytes.Length));
                var copy = new ByteArrayContent(bytes);
                foreach (var header in response.Content.Headers)
                    copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
                response.Content = copy;
            }
            return response;
        }
    }

    [Fact]
    public async Task A_first_sync_arrives_compressed_and_decodes_to_the_whole_history()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        using (var writer = await server.NewClientAsync("alice"))
        {
            for (var i = 0; i < 2_000; i++)
                writer.Record($"task-{i % 50}", "update", $$"""{"title":"task number {{i}}","done":{{(i % 3 == 0 ? "true" : "false")}}}""");
            await writer.SyncAsync(Ct);
        }
        var history = await server.HistoryAsync();
        var rawJson = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(history, Protocol.ProtocolJsonContext.Default.ListEvent).Length;

        var meter = new WireMeter();
        using var reader = await server.NewClientAsync("alice", handler: meter);
        await reader.SyncAsync(Ct);

        Assert.Equal(history, reader.Events());
        var (encoding, bytes) = Assert.Single(meter.Answers);
        Assert.Equal("br", encoding);
        Assert.True(bytes * 5 < rawJson, $"{bytes} bytes on the wire for {rawJson} bytes of JSON");
    }

    [Fact]
    public async Task A_client_whose_handler_decodes_by_itself_gets_the_same_history()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        using (var writer = await server.NewClientAsync("alice"))
        {
            writer.Record("task-1", "create", """{"title":"one"}""");
            await writer.SyncAsync(Ct);
        }

        using var reader = await server.NewClientAsync("alice", handler: new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });
        await reader.SyncAsync(Ct);

        Assert.Equal(await server.HistoryAsync(), reader.Events());
    }
}
