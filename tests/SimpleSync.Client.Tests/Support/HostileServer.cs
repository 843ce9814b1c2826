using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SimpleSync.Client.Tests.Support;

/// <summary>Which request of a sync a <see cref="HostileCase"/> answers wrongly.</summary>
public enum HostileTarget
{
    /// <summary><c>POST /auth/token</c>.</summary>
    Login,
    /// <summary><c>POST /sync</c>, with one pending event pushed.</summary>
    Push,
    /// <summary><c>GET /sync</c>, after a first page that said <c>more</c>.</summary>
    Pull,
    /// <summary><c>GET /sync/stream</c>, after a sync that went well.</summary>
    Stream,
}

/// <summary>
/// One crafted answer. <c>{uuid}</c> in <see cref="Body"/> becomes the uuid of the pushed event;
/// <see cref="ContentType"/> null sends none; <see cref="Chunked"/> leaves out Content-Length;
/// <see cref="ContentEncoding"/> is sent as Content-Encoding, with the body compressed so (gzip,
/// br) unless <see cref="Compress"/> is false.
/// </summary>
public sealed record HostileCase(HostileTarget Target, string Body, string? ContentType = "application/json", bool Chunked = false,
    SyncClientOptions? Options = null, string? ContentEncoding = null, bool Compress = true);

/// <summary>
/// A tiny real HTTP server on loopback that speaks just enough of the protocol to reach the
/// request under test, then answers it with a crafted body. Each case lives under its own path
/// (<c>/{case}/sync</c>), so one server serves them all and a client reaches a case through its
/// base address. It is a peer to test the SDK against, not a stand-in for any of its code.
/// </summary>
public sealed class HostileServer : IAsyncLifetime
{
    public const string Epoch = "0123456789abcdef0123456789abcdef";
    public const string ValidEvent =
        """{"uuid":"0193a5c0-0000-7000-8000-00000000000a","timestamp":1,"userUuid":"u-other","itemUuid":"task-1","action":"create","payload":"{}"}""";

    private WebApplication? _app;

    public Dictionary<string, HostileCase> Cases { get; } = [];

    /// <summary>Raised when a client opens a stream of a case: the case's name and the request's query string.</summary>
    public event Action<string, string>? StreamOpened;

    /// <summary>A token whose payload names <paramref name="claims"/>; the SDK reads <c>sub</c> and never checks the signature.</summary>
    public static string Token(string claims) =>
        $"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{Convert.ToBase64String(Encoding.UTF8.GetBytes(claims)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.c2ln";

    public Uri BaseAddressOf(string caseName) => new(new Uri(_app!.Urls.Single()), $"{caseName}/");

    public async ValueTask InitializeAsync() => _app = await PeerServer.StartAsync(AnswerAsync);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await PeerServer.StopAsync(_app);
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var hostile = Cases[path[..slash]];
        var target = (path[(slash + 1)..], context.Request.Method) switch
        {
            ("auth/token", _) => HostileTarget.Login,
            ("sync", "POST") => HostileTarget.Push,
            ("sync", _) => HostileTarget.Pull,
            _ => HostileTarget.Stream,
        };
        if (target == HostileTarget.Stream)
            StreamOpened?.Invoke(path[..slash], context.Request.QueryString.Value ?? "");
        if (target == hostile.Target)
        {
            var body = hostile.Body.Replace("{uuid}", await PushedUuidAsync(context), StringComparison.Ordinal);
            await PeerServer.WriteAsync(context, Encoded(body, hostile), hostile.ContentType, hostile.Chunked, hostile.ContentEncoding);
            if (target == HostileTarget.Stream)
                await PeerServer.HoldOpenAsync(context, _app!);
            return;
        }
        var fine = target switch
        {
            HostileTarget.Login => $$"""{"token":"{{Token("""{"sub":"u-hostile"}""")}}"}""",
            _ when hostile.Target == HostileTarget.Pull => $$"""{"epoch":"{{Epoch}}","cursor":1,"more":true,"events":[{{ValidEvent}}],"results":[]}""",
            _ => $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[]}""",
        };
        await PeerServer.WriteAsync(context, fine);
    }

    private static byte[] Encoded(string body, HostileCase hostile)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        if (hostile.ContentEncoding is not { } encoding || !hostile.Compress)
            return bytes;
        using var compressed = new MemoryStream();
        using (Stream compressor = encoding == "br"
            ? new System.IO.Compression.BrotliStream(compressed, System.IO.Compression.CompressionLevel.Fastest)
            : new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest))
        {
            compressor.Write(bytes);
        }
        return compressed.ToArray();
    }

    private static async Task<string> PushedUuidAsync(HttpContext context)
    {
        if (context.Request.Method != "POST" || context.Request.Path.Value!.EndsWith("/auth/token", StringComparison.Ordinal))
            return "";
        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var events = request.RootElement.GetProperty("events");
        return events.GetArrayLength() == 0 ? "" : events[0].GetProperty("uuid").GetString()!;
    }
}
