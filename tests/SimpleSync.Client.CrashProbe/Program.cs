// Usage: crash-probe SERVER_URL STORE_FILE USERNAME PASSWORD COUNT
// Logs in, records COUNT events, then syncs through a connection that kills this process the
// moment the server's answer has arrived: the server has committed the push, the local store
// has not. Exits with 3 when it survives, which would mean the kill never happened.
using System.Diagnostics;
using SimpleSync.Client;

var (url, store, username, password, count) = (args[0], args[1], args[2], args[3], int.Parse(args[4]));
using var http = new HttpClient(new KillAfterAnswer()) { BaseAddress = new Uri(url) };
using var client = new SyncClient(http, store);
await client.LoginAsync(username, password);
for (var i = 0; i < count; i++)
    Console.WriteLine(client.Record($"task-{i}", "create", $$"""{"n":{{i}}}""").Uuid);
Console.Out.Flush();
KillAfterAnswer.Armed = true;
await client.SyncAsync();
return 3;

internal sealed class KillAfterAnswer() : DelegatingHandler(new SocketsHttpHandler())
{
    public static volatile bool Armed;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Armed)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            // SIGKILL: no finally blocks, no flushing, as when the OS or the user kills an app.
            Process.GetCurrentProcess().Kill();
        }
        return response;
    }
}
