using SimpleSync.Client.Tests.Support;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

/// <summary>The local store holds the login token: its files are readable by their owner only.</summary>
public sealed class StoreFileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_store_and_its_wal_and_shm_files_are_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("file modes are a Unix notion; on Windows the store inherits its folder's ACL");
            return;
        }
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        var path = Path.Combine(server.DataDirectory, "device.db");

        using var client = await server.NewClientAsync("alice", path);
        client.Record("task-1", "create", "{}");
        await client.SyncAsync(Ct);

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
    }

    [Fact]
    public void A_store_an_earlier_version_left_readable_by_others_is_made_owner_only_when_opened()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("file modes are a Unix notion; on Windows the store inherits its folder's ACL");
            return;
        }
        using var dir = new TempDir();
        using var http = new HttpClient { BaseAddress = new Uri("https://example.test/") };
        var path = dir.File("device.db");
        using (var old = new SyncClient(http, path))
            Assert.Empty(old.Events());
        var shared = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(path, shared);
        File.WriteAllBytes(path + "-wal", []);
        File.SetUnixFileMode(path + "-wal", shared);

        using var client = new SyncClient(http, path);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path + "-wal"));
    }
}
