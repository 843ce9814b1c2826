using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SimpleSync.Client;
using SimpleSync.Protocol;

namespace SimpleSync.Benchmarks;

/// <summary>
/// The .NET SDK at the size apps reach: a local copy of 100,000 events over 10,000 items, then
/// one more event arrives from the server and the app redraws with <c>Items()</c>. The server is
/// a canned one in this process (<see cref="HistoryServer"/>), so the figures are the SDK's own:
/// its store in memory, no network. <see cref="OneEventArrives"/> alone is the cost of taking the
/// event in; the difference to <see cref="OneEventArrivesThenItems"/> is what <c>Items()</c> adds.
/// </summary>
[MemoryDiagnoser]
public class SdkItemsBenchmarks
{
    private const int History = 100_000;
    private const int ItemCount = 10_000;

    private readonly HistoryServer _server = new();
    private HttpClient _http = null!;
    private SyncClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < History; i++)
            _server.Append();
        _http = new HttpClient(_server) { BaseAddress = new Uri("https://sdk.bench/") };
        _client = new SyncClient(_http, storePath: null);
        _client.LoginAsync("bench", "bench").GetAwaiter().GetResult();
        _client.SyncAsync().GetAwaiter().GetResult();
        if (_client.Items().Count != ItemCount)
            throw new InvalidOperationException("the first sync did not bring the whole history");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _http.Dispose();
    }

    /// <summary>The server has one new event; the client syncs it in.</summary>
    [Benchmark]
    public async Task<int> OneEventArrives()
    {
        _server.Append();
        return (await _client.SyncAsync()).Pulled;
    }

    /// <summary>The same, then the app reads every item's state.</summary>
    [Benchmark]
    public async Task<int> OneEventArrivesThenItems()
    {
        _server.Append();
        await _client.SyncAsync();
        return _client.Items().Count;
    }

    /// <summary>
    /// Answers login, <c>POST /sync</c> (with nothing pushed) and <c>GET /sync</c> from a history
    /// in memory, in pages of 10,000 as the real server does. Every event is a later update of
    /// one of <see cref="ItemCount"/> items, shaped like the load generator's.
    /// </summary>
    private sealed class HistoryServer : HttpMessageHandler
    {
        private const string Epoch = "0123456789abcdef0123456789abcdef";
        private const int PageSize = 10_000;
        private static readonly ulong Start = (ulong)DateTimeOffset.Parse("2025-01-01T00:00:00Z").ToUnixTimeMilliseconds();
        // The SDK reads the user from the token's sub claim and never checks the signature.
        private static readonly string Token =
            "eyJhbGciOiJIUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"sub":"u-bench"}""")).TrimEnd('=') + ".c2ln";

        private readonly List<Event> _events = [];

        public void Append()
        {
            var n = _events.Count;
            _events.Add(new Event(Guid.CreateVersion7().ToString(), Start + (ulong)n, "u-other", $"task-{n % ItemCount}",
                n < ItemCount ? "create" : "update",
                $$"""{"title":"Buy milk and bread","done":{{(n % 3 == 0 ? "true" : "false")}},"n":{{n}},"tags":["home","errand"]}"""));
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.EndsWith("/auth/token", StringComparison.Ordinal))
                return Json($$"""{"token":"{{Token}}"}""");
            long cursor;
            if (request.Method == HttpMethod.Post)
            {
                using var body = JsonDocument.Parse(await request.Content!.ReadAsByteArrayAsync(ct));
                cursor = body.RootElement.GetProperty("cursor").GetInt64();
            }
            else
            {
                cursor = long.Parse(request.RequestUri.Query.Split('=')[1]);
            }
            // Seq n is the n-th event (from 1), so a cursor is a count of events.
            var page = _events.Skip((int)cursor).Take(PageSize).ToList();
            var next = cursor + page.Count;
            var answer = new SyncResponse(Epoch, next, next < _events.Count, page, request.Method == HttpMethod.Post ? [] : null);
            return Json(JsonSerializer.SerializeToUtf8Bytes(answer, ProtocolJsonContext.Default.SyncResponse));
        }

        private static HttpResponseMessage Json(string body) => Json(Encoding.UTF8.GetBytes(body));

        private static HttpResponseMessage Json(byte[] body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }
    }
}
