using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.LoadGen;

/// <summary>
/// The HTTP side of the load generator: one pooled client with as many connections as there are
/// concurrent requests (HTTP/1.1, one request per connection at a time), and the few calls the
/// scenarios make. Hot calls read into caller-owned buffers instead of building strings.
/// </summary>
internal sealed class BenchHttp : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _client;

    public BenchHttp(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public Uri BaseAddress => _client.BaseAddress!;

    public async Task<string> LoginAsync(string username, string password, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new TokenRequest(username, password), ProtocolJsonContext.Default.TokenRequest);
        var answer = await SendForTextAsync(HttpMethod.Post, "/auth/token", null, body, ct);
        return JsonSerializer.Deserialize(answer, ProtocolJsonContext.Default.TokenResponse)!.Token;
    }

    public Task CreateUserAsync(string adminToken, string uuid, string username, string password, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new CreateUserRequest(uuid, username, password), ProtocolJsonContext.Default.CreateUserRequest);
        return SendForTextAsync(HttpMethod.Post, "/admin/users", adminToken, body, ct);
    }

    /// <summary>One rule that allows every user every action on every item: pushes are never refused by the ACL.</summary>
    public Task AllowAllAsync(string adminToken, CancellationToken ct)
    {
        var acl = new AclDocument([new AclRule("*", "*", "*", true)]);
        return SendForTextAsync(HttpMethod.Put, "/acl", adminToken, JsonSerializer.SerializeToUtf8Bytes(acl, ProtocolJsonContext.Default.AclDocument), ct);
    }

    /// <summary>POST /sync with a pre-built body; the answer lands in <paramref name="answer"/>.</summary>
    public async Task PushAsync(string token, PushBody body, ResponseBuffer answer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync") { Content = new ReadOnlyMemoryContent(body.Bytes) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await answer.ReadAsync(response.Content, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw Refused(request, response.StatusCode, answer.Text());
    }

    /// <summary>
    /// A POST of a pre-built JSON body to another server (the peer): no token, and any 2xx is
    /// success (CouchDB answers a write with 201).
    /// </summary>
    public async Task PostAsync(string path, ReadOnlyMemory<byte> body, ResponseBuffer answer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = Json;
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await answer.ReadAsync(response.Content, ct);
        if (!response.IsSuccessStatusCode)
            throw Refused(request, response.StatusCode, answer.Text());
    }

    /// <summary>A GET whose answer lands in <paramref name="answer"/>; without a token for the peer.</summary>
    public async Task GetAsync(string? token, Uri path, ResponseBuffer answer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await answer.ReadAsync(response.Content, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw Refused(request, response.StatusCode, answer.Text());
    }

    /// <summary>Sends a GET and returns as soon as the headers are in; the caller reads and disposes the body.</summary>
    public async Task<HttpResponseMessage> OpenAsync(string? token, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            response.Dispose();
            throw Refused(request, response.StatusCode, text);
        }
        return response;
    }

    /// <summary>A small request whose answer is wanted as text; any 2xx is success.</summary>
    public async Task<string> SendForTextAsync(HttpMethod method, string path, string? token, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw Refused(request, response.StatusCode, text);
        return text;
    }

    private static BenchException Refused(HttpRequestMessage request, HttpStatusCode status, string text) =>
        new($"{request.Method} {request.RequestUri} answered {(int)status}: {(text.Length > 300 ? text[..300] + "…" : text)}");

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// A reusable buffer for whole response bodies, with the few look-ups the scenarios need. The
/// sync answers put <c>cursor</c> and <c>more</c> last, so they are found from the end without
/// parsing the events.
/// </summary>
internal sealed class ResponseBuffer
{
    private byte[] _bytes = new byte[64 * 1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    public async Task ReadAsync(HttpContent content, CancellationToken ct)
    {
        Length = 0;
        await using var stream = await content.ReadAsStreamAsync(ct);
        while (true)
        {
            if (Length == _bytes.Length)
                Array.Resize(ref _bytes, _bytes.Length * 2);
            var read = await stream.ReadAsync(_bytes.AsMemory(Length), ct);
            if (read == 0)
                return;
            Length += read;
        }
    }

    /// <summary>The <c>"cursor":N</c> of a sync answer.</summary>
    public long Cursor() => NumberAfterLast("\"cursor\":"u8);

    /// <summary>
    /// The integer after the last occurrence of <paramref name="member"/> (a quoted name and its
    /// colon): the cursor of a sync answer, the <c>last_seq</c> of a CouchDB changes answer.
    /// </summary>
    public long NumberAfterLast(ReadOnlySpan<byte> member)
    {
        var span = Span;
        var at = span.LastIndexOf(member);
        if (at < 0 || !System.Buffers.Text.Utf8Parser.TryParse(span[(at + member.Length)..], out long value, out _))
            throw new BenchException($"an answer without {Encoding.UTF8.GetString(member)}: {Text()}");
        return value;
    }

    /// <summary>How many times <paramref name="marker"/> occurs in the answer (one a document, for a marker each has once).</summary>
    public int Count(ReadOnlySpan<byte> marker) => Span.Count(marker);

    /// <summary>How many pushed events the answer's <c>results</c> report with this status (searching only before <c>"events"</c>).</summary>
    public int CountStatus(ReadOnlySpan<byte> statusMarker)
    {
        var span = Span;
        var events = span.IndexOf("\"events\":"u8);
        return (events < 0 ? span : span[..events]).Count(statusMarker);
    }

    /// <summary>Events in the answer's <c>events</c> array: one <c>{"uuid":</c> each after the results.</summary>
    public int CountEvents()
    {
        var span = Span;
        var events = span.IndexOf("\"events\":"u8);
        return events < 0 ? 0 : span[events..].Count("{\"uuid\":"u8);
    }

    public string Text() => Encoding.UTF8.GetString(Span[..Math.Min(Length, 2000)]);
}
