using SimpleSync.Config;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests.Support;

/// <summary>The SDK tests' use of <see cref="LiveServer"/>: servers as they start them, and SDK clients logged in to them.</summary>
internal static class SdkServer
{
    /// <summary>
    /// Starts a server with the default limits, or with <paramref name="limits"/>. Failed logins
    /// are not throttled: SDK tests log in wrongly on purpose, and the throttle has tests of its own.
    /// </summary>
    public static Task<LiveServer> StartAsync(LimitsSection? limits = null) =>
        LiveServer.StartAsync(o => o with { Auth = o.Auth with { LoginMaxFailures = int.MaxValue }, Limits = limits ?? o.Limits });

    /// <summary>A new SDK client with an in-memory store (or <paramref name="storePath"/>), logged in as <paramref name="username"/>.</summary>
    public static async Task<SyncClient> NewClientAsync(this LiveServer server, string username, string? storePath = null,
        HttpMessageHandler? handler = null, TimeProvider? time = null, SyncClientOptions? options = null)
    {
        var client = new SyncClient(server.NewClient(handler: handler), storePath, time: time, options: options);
        await client.LoginAsync(username, LiveServer.PasswordOf(username), TestContext.Current.CancellationToken);
        return client;
    }
}
