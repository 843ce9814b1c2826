using System.Collections.Concurrent;
using System.Net;

namespace SimpleSync.Client.Tests.Support;

/// <summary>
/// Watches a real connection from the client's side: records the body size and the answer's
/// status of every <c>POST /sync</c>. Requests and answers pass unchanged.
/// </summary>
internal sealed class PushLog() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<(long Bytes, HttpStatusCode Status)> _pushes = new();

    public IReadOnlyList<(long Bytes, HttpStatusCode Status)> Pushes => [.. _pushes];

    public void Clear() => _pushes.Clear();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var bytes = request.Content?.Headers.ContentLength ?? 0;
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/sync", StringComparison.Ordinal))
            _pushes.Enqueue((bytes, response.StatusCode));
        return response;
    }
}
