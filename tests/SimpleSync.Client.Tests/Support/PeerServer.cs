using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace SimpleSync.Client.Tests.Support;

/// <summary>
/// The plumbing of the test peers (<see cref="HostileServer"/>, <see cref="RecordingServer"/>): a
/// real Kestrel on a loopback port answering every request with one delegate.
/// </summary>
internal static class PeerServer
{
    public static async Task<WebApplication> StartAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(answer);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    public static async Task StopAsync(WebApplication app)
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }

    /// <summary>Writes <paramref name="body"/>; without Content-Length when <paramref name="chunked"/>; no Content-Type when it is null.</summary>
    public static Task WriteAsync(HttpContext context, string body, string? contentType = "application/json", bool chunked = false) =>
        WriteAsync(context, Encoding.UTF8.GetBytes(body), contentType, chunked, contentEncoding: null);

    /// <summary>As above, with the bytes as they go on the wire and their Content-Encoding, if any.</summary>
    public static async Task WriteAsync(HttpContext context, byte[] bytes, string? contentType, bool chunked, string? contentEncoding)
    {
        context.Response.ContentType = contentType;
        if (contentEncoding is not null)
            context.Response.Headers.ContentEncoding = contentEncoding;
        if (!chunked)
            context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Keeps a stream open as a live server would, until the client leaves or the peer stops.</summary>
    public static async Task HoldOpenAsync(HttpContext context, WebApplication app)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
