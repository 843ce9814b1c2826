using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>
/// The requests of the protocol over the app's <see cref="HttpClient"/>, each turning every
/// failure into a <see cref="SyncException"/>, and every answer it returns checked against the
/// protocol (<see cref="AnswerRules"/>): whatever a server or proxy sends, the caller gets a valid
/// answer or a <see cref="ClientErrorCodes.BadResponse"/>. Requests go to absolute URLs under the
/// base address that <see cref="ServerAddress"/> checked when the client was built; relative
/// paths keep a base address with a path (<c>https://host/simple-sync/</c>) working. The token
/// goes on each request, not on the client, because a client from <c>IHttpClientFactory</c> may
/// be shared; so do the <see cref="ClientIdentity"/> headers.
/// </summary>
internal sealed class ServerApi(HttpClient http, Uri baseAddress, SyncClientOptions options, TimeProvider time, ClientIdentity identity)
{
    // A problem+json body is a few hundred bytes; a longer error body (a proxy's page) is not read for a code.
    private const int MaxProblemBytes = 64 * 1024;
    private const int MaxBodyNeverRefused = 1024;

    public async Task<string> LoginAsync(string username, string password, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("auth/token"))
        {
            Content = JsonContent.Create(new TokenRequest(username, password), ProtocolJsonContext.Default.TokenRequest),
        };
        // A 401 here means wrong credentials, not an expired login: report the server's own code.
        var answer = await SendAsync(request, ProtocolJsonContext.Default.TokenResponse, token: null, loginRequiredOn401: false, ct);
        return AnswerRules.CheckToken(answer.Token);
    }

    public async Task<SyncResponse> PushAsync(string token, PushBatch batch, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("sync")) { Content = new ReadOnlyMemoryContent(batch.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        // A server refuses a body over its limit from the Content-Length alone and closes the
        // connection; a client still sending then sees a broken pipe, not the 413 it needs in order
        // to send less. With 100-continue the body follows only once the server asks for it. Bodies
        // of 1 KiB or less (the smallest limits.max_body_bytes) skip the extra round trip.
        request.Headers.ExpectContinue = batch.Body.Length > MaxBodyNeverRefused;
        var answer = await SendAsync(request, ProtocolJsonContext.Default.SyncResponse, token, loginRequiredOn401: true, ct);
        return AnswerRules.CheckPush(answer, batch);
    }

    public async Task<SyncResponse> PullAsync(string token, long cursor, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url($"sync?cursor={cursor.ToString(CultureInfo.InvariantCulture)}"));
        var answer = await SendAsync(request, ProtocolJsonContext.Default.SyncResponse, token, loginRequiredOn401: true, ct);
        return AnswerRules.CheckPull(answer, cursor);
    }

    /// <summary>
    /// Opens the live stream; the caller owns the response and reads its body as it arrives,
    /// with no timeout: the stream lasts until the server or the caller ends it.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string token, long lastEventId, string? epoch, CancellationToken ct)
    {
        // With the epoch the server refuses (event: end, epoch_changed) to continue a cursor of another history.
        var path = epoch is null ? "sync/stream" : $"sync/stream?epoch={Uri.EscapeDataString(epoch)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Last-Event-ID", lastEventId.ToString(CultureInfo.InvariantCulture));
        identity.Apply(request);
        var response = await SendRawAsync(request, ct, ct);
        try
        {
            if (!response.IsSuccessStatusCode)
                throw await ErrorOfAsync(response, loginRequiredOn401: true, ct, ct);
            AnswerBody.RequireMediaType(response, "text/event-stream");
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private Uri Url(string relative) => new(baseAddress, relative);

    /// <summary>
    /// Sends a request and reads its JSON answer. The whole exchange, body included, gets the
    /// HttpClient's Timeout: the body is read here rather than buffered by HttpClient (which would
    /// bound it by time, but not by size).
    /// </summary>
    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, string? token, bool loginRequiredOn401,
        CancellationToken ct)
        where T : class
    {
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        identity.Apply(request);
        foreach (var encoding in AnswerBody.Encodings)
        {
            if (!request.Headers.AcceptEncoding.Any(e => e.Value == encoding))
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        }
        using var timeout = new CancellationTokenSource(http.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var response = await SendRawAsync(request, linked.Token, ct);
        if (!response.IsSuccessStatusCode)
            throw await ErrorOfAsync(response, loginRequiredOn401, linked.Token, ct);
        AnswerBody.RequireMediaType(response, "application/json");
        ReadOnlyMemory<byte>? body;
        try
        {
            body = await AnswerBody.ReadAsync(response.Content, options.MaxResponseBytes, linked.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new SyncException(ClientErrorCodes.Network, $"the connection failed while reading the answer: {ex.Message}", null, ex);
        }
        if (body is not { } json)
        {
            throw new SyncException(ClientErrorCodes.BadResponse,
                $"the server's answer is larger than the limit of {options.MaxResponseBytes} bytes ({nameof(SyncClientOptions)}.{nameof(SyncClientOptions.MaxResponseBytes)})",
                response.StatusCode);
        }
        try
        {
            return JsonSerializer.Deserialize(json.Span, type) ?? throw new JsonException("the answer is null");
        }
        catch (JsonException ex)
        {
            throw new SyncException(ClientErrorCodes.BadResponse, $"the server's answer is not what the protocol says: {ex.Message}",
                response.StatusCode, ex);
        }
    }

    /// <summary>Sends with <paramref name="ct"/>; a cancellation that <paramref name="callerCt"/> did not ask for is a timeout.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken ct, CancellationToken callerCt)
    {
        // A request built here would otherwise be HTTP/1.1 whatever the app set: the client's
        // defaults let an app ask for HTTP/2 (one connection for its streams and syncs).
        request.Version = http.DefaultRequestVersion;
        request.VersionPolicy = http.DefaultVersionPolicy;
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new SyncException(ClientErrorCodes.Network, $"the server could not be reached: {ex.Message}", null, ex);
        }
        catch (OperationCanceledException ex) when (!callerCt.IsCancellationRequested)
        {
            // HttpClient.Timeout shows up as a cancellation that nobody asked for.
            throw new SyncException(ClientErrorCodes.Network, "the request timed out", null, ex);
        }
    }

    /// <summary>
    /// Reads a problem+json answer into its code; answers without one get a code from their status.
    /// Reading stops at <paramref name="ct"/>; only <paramref name="callerCt"/> makes it throw.
    /// </summary>
    private static async Task<SyncException> ErrorOfAsync(HttpResponseMessage response, bool loginRequiredOn401, CancellationToken ct,
        CancellationToken callerCt)
    {
        string? code = null, detail = null;
        try
        {
            var body = await AnswerBody.ReadAsync(response.Content, MaxProblemBytes, ct) ?? ReadOnlyMemory<byte>.Empty;
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (problem.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                    code = c.GetString();
                if (problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                    detail = d.GetString();
            }
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or SyncException
            || (ex is OperationCanceledException && !callerCt.IsCancellationRequested))
        {
            // Not problem+json (a proxy's error page, one too long or not decoding, a cut connection): the status decides.
        }
        var status = response.StatusCode;
        code = code is not null && ErrorCodes.All.Contains(code) ? code : CodeOf(status);
        if (status == HttpStatusCode.Unauthorized && loginRequiredOn401)
            code = ClientErrorCodes.LoginRequired;
        var message = $"{(int)status} {code}{(detail is null ? "" : $": {detail}")}";
        return new SyncException(code, message, status) { RetryAfter = RetryAfterOf(response) };
    }

    private static string CodeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => ErrorCodes.Unauthenticated,
        HttpStatusCode.Forbidden => ErrorCodes.Forbidden,
        HttpStatusCode.NotFound => ErrorCodes.NotFound,
        HttpStatusCode.MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        HttpStatusCode.RequestEntityTooLarge => ErrorCodes.TooLarge,
        HttpStatusCode.TooManyRequests => ErrorCodes.RateLimited,
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => ErrorCodes.Unavailable,
        >= HttpStatusCode.InternalServerError => ErrorCodes.Internal,
        _ => ErrorCodes.Invalid,
    };

    // The server sends seconds; an HTTP date (from a proxy) is left out rather than read against a second clock.
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta;
}
