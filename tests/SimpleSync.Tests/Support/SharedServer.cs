using SimpleSync.Config;
using SimpleSync.Testing;

namespace SimpleSync.Tests.Support;

/// <summary>
/// One server for a whole test class, with an admin and a user "alice" logged in. For table-driven
/// tests whose rows only read, or that each check something of their own (a fresh event uuid, a
/// request refused as a whole), so that a hundred rows do not start a hundred servers. Rows of one
/// class run one after another. Failed logins are not throttled here (rows of a table may fail
/// many); the throttle has tests of its own.
/// </summary>
public class SharedServer : IAsyncLifetime
{
    internal LiveServer Server { get; private set; } = null!;
    internal HttpClient Admin { get; private set; } = null!;
    internal string AdminUuid { get; private set; } = null!;
    internal HttpClient Alice { get; private set; } = null!;
    internal string AliceUuid { get; private set; } = null!;
    internal string AliceToken { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await LiveServer.StartAsync(o => Configure(o with { Auth = o.Auth with { LoginMaxFailures = int.MaxValue } }));
        Admin = await Server.AdminAsync();
        AdminUuid = Jwt.Payload(Admin.DefaultRequestHeaders.Authorization!.Parameter!)["sub"]!.GetValue<string>();
        (AliceUuid, Alice) = await Server.NewUserAsync("alice");
        AliceToken = Alice.DefaultRequestHeaders.Authorization!.Parameter!;
        await ReadyAsync();
    }

    /// <summary>What a fixture reads once for its whole class, after the users are in place.</summary>
    private protected virtual Task ReadyAsync() => Task.CompletedTask;

    /// <summary>Options of the shared server beyond the defaults, for a fixture that needs its own.</summary>
    private protected virtual SimpleSyncOptions Configure(SimpleSyncOptions options) => options;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
