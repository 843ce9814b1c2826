using SimpleSync.Testing;

namespace SimpleSync.Client.Tests.Support;

/// <summary>
/// A server where everyone may do anything, with alice and bob each on a device of their own (an
/// SDK client over an in-memory store, logged in): the start of every test about two devices.
/// </summary>
internal sealed class TwoDevices : IAsyncDisposable
{
    private TwoDevices(LiveServer server, SyncClient alice, SyncClient bob)
    {
        Server = server;
        Alice = alice;
        Bob = bob;
    }

    public LiveServer Server { get; }

    public SyncClient Alice { get; }

    public SyncClient Bob { get; }

    public static async Task<TwoDevices> StartAsync()
    {
        var server = await SdkServer.StartAsync();
        try
        {
            await server.AllowAllAsync();
            await server.CreateUserAsync("alice");
            await server.CreateUserAsync("bob");
            var alice = await server.NewClientAsync("alice");
            return new TwoDevices(server, alice, await server.NewClientAsync("bob"));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Bob.Dispose();
        Alice.Dispose();
        await Server.DisposeAsync();
    }
}
