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
/// failure into a <see cref="SyncException"/>. Paths are relative, so a base address with a path
/// (<c>https://host/simple-sync/</c>) works; the token goes on each request, not on the client,
/// because a client from <c>IHttpClientFactory</c> may be shared.
/// </summary>
internal sealed class ServerApi(HttpClient http)
{
    public async Task<string> LoginAsync(string username, string password, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "auth/token")
        {
            Content = JsonContent.Create(new TokenRequest(username, password), ProtocolJsonContext.Default.TokenRequest),
        };
        // A 401 here means wrong credentials, not an expired login: report the server's own code.
        var answer = await SendAsync(request, ProtocolJsonContext.Default.TokenResponse, token: null, loginRequiredOn401: false, ct);
        return answer.Token;
    }

    public async Task<SyncResponse> PushAsync(string token, SyncRequest body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "sync")
        {
            Content = JsonContent.Create(body, ProtocolJsonContext.Default.SyncRequest),
        };
        return await SendAsync(request, ProtocolJsonContext.Default.SyncResponse, token, loginRequiredOn401: true, ct);
    }

    public async Task<SyncResponse> PullAsync(string token, long cursor, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"sync?cursor={cursor.ToString(CultureInfo.InvariantCulture)}");
        return await SendAsync(request, ProtocolJsonContext.Default.SyncResponse, token, loginRequiredOn401: true, ct);
    }

    /// <summary>Opens the live stream; the caller owns the response and reads its body as it arrives.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string token, long lastEventId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "sync/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Last-Event-ID", lastEventId.ToString(CultureInfo.InvariantCulture));
        var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
                throw await ErrorOfAsync(response, loginRequiredOn401: true, ct);
        }
        return response;
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, string? token, bool loginRequiredOn401,
        CancellationToken ct)
    {
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        if (!response.IsSuccessStatusCode)
            throw await ErrorOfAsync(response, loginRequiredOn401, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, ct)
                ?? throw new JsonException("the answer is null");
        }
        catch (JsonException ex)
        {
            throw new SyncException(ClientErrorCodes.BadResponse, $"the server's answer is not what the protocol says: {ex.Message}",
                response.StatusCode, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SyncException(ClientErrorCodes.Network, $"the connection failed while reading the answer: {ex.Message}", null, ex);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new SyncException(ClientErrorCodes.Network, $"the server could not be reached: {ex.Message}", null, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            // HttpClient.Timeout shows up as a cancellation that nobody asked for.
            throw new SyncException(ClientErrorCodes.Network, "the request timed out", null, ex);
        }
    }

    /// <summary>Reads a problem+json answer into its code; answers without one get a code from their status.</summary>
    private static async Task<SyncException> ErrorOfAsync(HttpResponseMessage response, bool loginRequiredOn401, CancellationToken ct)
    {
        string? code = null, detail = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (problem.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                    code = c.GetString();
                if (problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                    detail = d.GetString();
            }
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException)
        {
            // Not problem+json (a proxy's error page, a cut connection): the status decides.
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
        HttpStatusCode.Conflict => ErrorCodes.Conflict,
        HttpStatusCode.RequestEntityTooLarge => ErrorCodes.TooLarge,
        HttpStatusCode.TooManyRequests => ErrorCodes.RateLimited,
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => ErrorCodes.Unavailable,
        >= HttpStatusCode.InternalServerError => ErrorCodes.Internal,
        _ => ErrorCodes.Invalid,
    };

    // The server sends seconds; an HTTP date (from a proxy) is left out rather than read against a second clock.
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta;
}
