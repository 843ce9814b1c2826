using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SimpleSync.Admin;
using SimpleSync.Config;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Client.Tests.Support;

/// <summary>
/// The real server (Kestrel on 127.0.0.1) over a SQLite file in a temp directory, built from
/// options as production builds it. It can be stopped and started again on the same port and
/// files, so clients see an outage and a restart as they would in the field.
/// </summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly List<HttpClient> _clients = [];
    private WebApplication? _app;
    private string? _adminToken;

    private LiveServer(TempDir dir, SimpleSyncOptions options)
    {
        _dir = dir;
        Options = options;
    }

    public SimpleSyncOptions Options { get; private set; }
    public Uri BaseAddress { get; private set; } = null!;
    public string DatabasePath => Options.Storage.SqlitePath;
    public string Directory => _dir.Path;

    /// <summary>Starts a server with the default limits, or with <paramref name="limits"/>.</summary>
    public static async Task<LiveServer> StartAsync(LimitsSection? limits = null)
    {
        var dir = new TempDir();
        var options = new SimpleSyncOptions
        {
            Server = new ServerSection { Listen = "http://127.0.0.1:0", LogLevel = LogLevel.Error },
            Storage = new StorageSection { SqlitePath = dir.File("simple-sync.db") },
            Auth = new AuthSection { JwtSecretFile = dir.File("jwt-secret"), LoginMaxFailures = int.MaxValue, PasswordIterations = 1_000 },
            Limits = limits ?? new LimitsSection(),
        };
        var server = new LiveServer(dir, options);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port over the same files (after <see cref="StopAsync"/>).</summary>
    public async Task StartAgainAsync()
    {
        _app = ServerApp.Build(Options);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        BaseAddress = new Uri(_app.Urls.Single());
        // Keep the port from now on, so that clients built with this address reach the restarted server.
        Options = Options with { Server = Options.Server with { Listen = BaseAddress.GetLeftPart(UriPartial.Authority) } };
    }

    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>An HttpClient for an SDK client, optionally through a handler such as <see cref="FaultyNetwork"/>.</summary>
    public HttpClient NewHttpClient(HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new SocketsHttpHandler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        return client;
    }

    public string AdminPassword => File.ReadAllText(InitialAdmin.PasswordFile(Options)).Trim();

    public async Task<HttpClient> AdminAsync()
    {
        _adminToken ??= await TokenAsync("admin", AdminPassword);
        var admin = NewHttpClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
        return admin;
    }

    /// <summary>Creates a user through the admin API; returns their uuid. The password is <see cref="PasswordOf"/>.</summary>
    public async Task<string> NewUserAsync(string username)
    {
        var uuid = $"user-{username}";
        var admin = await AdminAsync();
        using var response = await admin.PostAsJsonAsync("/admin/users", new CreateUserRequest(uuid, username, PasswordOf(username)),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return uuid;
    }

    public static string PasswordOf(string username) => $"pw-{username}-secret";

    /// <summary>A new SDK client with an in-memory store (or <paramref name="storePath"/>), logged in as <paramref name="username"/>.</summary>
    public async Task<SyncClient> NewClientAsync(string username, string? storePath = null, HttpMessageHandler? handler = null,
        TimeProvider? time = null, SyncClientOptions? options = null)
    {
        var client = new SyncClient(NewHttpClient(handler), storePath, time: time, options: options);
        await client.LoginAsync(username, PasswordOf(username), TestContext.Current.CancellationToken);
        return client;
    }

    public async Task SetAclAsync(params AclRule[] rules)
    {
        var admin = await AdminAsync();
        using var response = await admin.PutAsJsonAsync("/acl", new AclDocument(rules), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public Task AllowAllAsync() => SetAclAsync(new AclRule("*", "*", "*", true));

    /// <summary>The server's whole history in history order, read with GET /sync from cursor 0.</summary>
    public async Task<List<Event>> HistoryAsync()
    {
        var admin = await AdminAsync();
        var events = new List<Event>();
        long cursor = 0;
        while (true)
        {
            var body = await admin.GetStringAsync($"/sync?cursor={cursor}", TestContext.Current.CancellationToken);
            var page = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.SyncResponse)!;
            events.AddRange(page.Events);
            cursor = page.Cursor;
            if (!page.More)
                break;
        }
        events.Sort(Event.HistoryOrder);
        return events;
    }

    public async Task<string> TokenAsync(string username, string password)
    {
        using var response = await NewHttpClient().PostAsJsonAsync("/auth/token", new TokenRequest(username, password),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken))!.Token;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await StopAsync();
        _dir.Dispose();
    }
}
