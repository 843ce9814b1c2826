using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SimpleSync.Client.Tests.Support;

/// <summary>One request as <see cref="RecordingServer"/> received it: every value of each identity header.</summary>
public sealed record SeenRequest(string Method, string Path, string[] Device, string[] Client);

/// <summary>
/// A tiny real HTTP server on loopback that answers the SDK's four requests (login, push, pull,
/// stream) as a server with a history of one event would, and keeps the <c>Sync-Device</c> and
/// <c>Sync-Client</c> headers of each: what a server receives, which the real one does not show.
/// It is a peer to test the SDK against, not a stand-in for any of its code.
/// </summary>
public sealed class RecordingServer : IAsyncDisposable
{
    private const string Epoch = "0123456789abcdef0123456789abcdef";
    private const string OtherEvent =
        """{"uuid":"0193a5c0-0000-7000-8000-00000000000a","timestamp":1,"userUuid":"u-bob","itemUuid":"task-0","action":"create","payload":"{}"}""";

    private readonly List<SeenRequest> _seen = [];
    private WebApplication _app = null!;
    private readonly TaskCompletionSource _streamOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri BaseAddress => new(_app.Urls.Single());

    /// <summary>The requests so far, in the order they arrived.</summary>
    public IReadOnlyList<SeenRequest> Seen
    {
        get
        {
            lock (_seen)
                return [.. _seen];
        }
    }

    /// <summary>Completes when a client first opens the live stream.</summary>
    public Task StreamOpened => _streamOpened.Task;

    public static async Task<RecordingServer> StartAsync()
    {
        var server = new RecordingServer();
        server._app = await PeerServer.StartAsync(server.AnswerAsync);
        return server;
    }

    public ValueTask DisposeAsync() => new(PeerServer.StopAsync(_app));

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var seen = new SeenRequest(request.Method, request.Path.Value!,
            [.. request.Headers["Sync-Device"].OfType<string>()], [.. request.Headers["Sync-Client"].OfType<string>()]);
        lock (_seen)
            _seen.Add(seen);
        var ct = context.RequestAborted;
        switch (request.Path.Value, request.Method)
        {
            case ("/auth/token", _):
                await PeerServer.WriteAsync(context, $$"""{"token":"{{HostileServer.Token("""{"sub":"u-alice"}""")}}"}""");
                break;
            case ("/sync", "POST"):
                using (var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct))
                {
                    var cursor = body.RootElement.GetProperty("cursor").GetInt64();
                    var results = body.RootElement.GetProperty("events").EnumerateArray()
                        .Select(e => $$"""{"uuid":"{{e.GetProperty("uuid").GetString()}}","status":"accepted"}""");
                    // A first sync gets one event and "more", so that it goes on with GET /sync.
                    var page = cursor == 0 ? $$"""[{{OtherEvent}}],"cursor":1,"more":true""" : $$"""[],"cursor":{{cursor}},"more":false""";
                    await PeerServer.WriteAsync(context, $$"""{"epoch":"{{Epoch}}","events":{{page}},"results":[{{string.Join(",", results)}}]}""");
                }
                break;
            case ("/sync", _):
                await PeerServer.WriteAsync(context, $$"""{"epoch":"{{Epoch}}","events":[],"cursor":{{request.Query["cursor"]}},"more":false}""");
                break;
            default:
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync($"event: hello\ndata: {{\"epoch\":\"{Epoch}\",\"cursor\":{request.Headers["Last-Event-ID"]}}}\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
                _streamOpened.TrySetResult();
                await PeerServer.HoldOpenAsync(context, _app);
                break;
        }
    }
}
