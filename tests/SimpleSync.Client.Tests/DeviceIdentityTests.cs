using System.Reflection;
using System.Text.RegularExpressions;
using SimpleSync.Client.Tests.Support;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

/// <summary>
/// Every request names its device (<c>Sync-Device</c>, one id per local store, kept across
/// restarts) and its software (<c>Sync-Client</c>: the SDK's version and the app's), as the
/// server receives them.
/// </summary>
public sealed partial class DeviceIdentityTests : IAsyncLifetime
{
    private static readonly string SdkVersion =
        typeof(SyncClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private readonly TempDir _dir = new();
    private readonly List<HttpClient> _http = [];
    private RecordingServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await RecordingServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var http in _http)
            http.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Login_push_pull_and_stream_all_carry_the_device_id_and_the_sdk_and_app_versions()
    {
        using var client = NewClient(_dir.File("device.db"), new SyncClientOptions { AppName = "todo-cli", AppVersion = "1.2.0" });

        await client.LoginAsync("alice", "password", Ct);
        client.Record("task-1", "create", "{}");
        await client.SyncAsync(Ct);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var watch = client.WatchAsync(stop.Token);
            // The bound only keeps a watch that never opened the stream from hanging the run.
            await Task.WhenAny(_server.StreamOpened, watch).Unwrap().WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
        }

        var seen = _server.Seen;
        Assert.Equal(["POST /auth/token", "POST /sync", "GET /sync", "GET /sync/stream"], seen.Select(r => $"{r.Method} {r.Path}").Distinct());
        Assert.Matches(DeviceIdRule(), client.DeviceId);
        Assert.All(seen, r => Assert.Equal([client.DeviceId], r.Device));
        Assert.All(seen, r => Assert.Equal([$"simplesync-dotnet/{SdkVersion} todo-cli/1.2.0"], r.Client));
    }

    [Fact]
    public async Task A_store_keeps_its_device_id_across_a_restart_of_the_client_and_another_store_has_another()
    {
        var path = _dir.File("device.db");
        string first;
        using (var client = NewClient(path))
        {
            await client.LoginAsync("alice", "password", Ct);
            first = client.DeviceId;
        }

        using var reopened = NewClient(path);
        await reopened.SyncAsync(Ct);
        using var other = NewClient(_dir.File("other.db"));
        await other.LoginAsync("alice", "password", Ct);
        using var inMemory = NewClient(null);
        await inMemory.LoginAsync("alice", "password", Ct);

        Assert.Equal(first, reopened.DeviceId);
        Assert.Equal(
            [("POST /auth/token", first), ("POST /sync", first), ("GET /sync", first), ("POST /auth/token", other.DeviceId), ("POST /auth/token", inMemory.DeviceId)],
            _server.Seen.Select(r => ($"{r.Method} {r.Path}", Assert.Single(r.Device))));
        Assert.Equal(3, new[] { first, other.DeviceId, inMemory.DeviceId }.Distinct().Count());
        Assert.All(_server.Seen, r => Assert.Equal([$"simplesync-dotnet/{SdkVersion}"], r.Client));
    }

    [Fact]
    public void The_sdk_version_in_Sync_Client_is_the_package_version()
    {
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "SimpleSync.Client", "SimpleSync.Client.csproj"));

        Assert.Equal(VersionElement().Match(project).Groups[1].Value, SdkVersion);
    }

    public static TheoryData<string?, string?, string> BadAppNames => new()
    {
        { "", null, nameof(SyncClientOptions.AppName) },
        { "todo cli", null, nameof(SyncClientOptions.AppName) },
        { "todo/cli", null, nameof(SyncClientOptions.AppName) },
        { "tödo", null, nameof(SyncClientOptions.AppName) },
        { "todo\r\nX-Injected: 1", null, nameof(SyncClientOptions.AppName) },
        { new string('a', 65), null, nameof(SyncClientOptions.AppName) },
        { "todo", "1.2 beta", nameof(SyncClientOptions.AppVersion) },
        { "todo", "", nameof(SyncClientOptions.AppVersion) },
        { null, "1.2.0", nameof(SyncClientOptions.AppVersion) },
    };

    [Theory]
    [MemberData(nameof(BadAppNames))]
    public void An_app_name_or_version_that_cannot_be_sent_is_refused_before_the_store_is_created(string? name, string? version, string option)
    {
        var path = _dir.File("device.db");

        var refused = Assert.Throws<ArgumentException>(() => NewClient(path, new SyncClientOptions { AppName = name, AppVersion = version }));

        Assert.Equal(option, refused.ParamName);
        Assert.Contains($"SyncClientOptions.{option}", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task The_longest_app_name_and_version_fit_in_Sync_Client()
    {
        var (name, version) = (new string('a', 64), new string('1', 64));
        using var client = NewClient(null, new SyncClientOptions { AppName = name, AppVersion = version });

        await client.LoginAsync("alice", "password", Ct);

        var sent = Assert.Single(Assert.Single(_server.Seen).Client);
        Assert.Equal($"simplesync-dotnet/{SdkVersion} {name}/{version}", sent);
        Assert.InRange(sent.Length, 1, 200);
    }

    private SyncClient NewClient(string? path, SyncClientOptions? options = null)
    {
        var http = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _http.Add(http);
        return new SyncClient(http, path, options: options);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SimpleSync.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root is not above the test's directory");
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex DeviceIdRule();

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
