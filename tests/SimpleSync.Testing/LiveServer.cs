using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SimpleSync.Admin;
using SimpleSync.Config;
using SimpleSync.Protocol;
using Xunit;

namespace SimpleSync.Testing;

/// <summary>
/// The real server (Kestrel on 127.0.0.1, a free port) over a SQLite file in a temp directory,
/// built from options as production builds it. Every test gets its own. It can be stopped and
/// started again on the same port and files, so clients see an outage and a restart as they
/// would in the field.
/// </summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly bool _ownsDir;
    private readonly TimeProvider? _time;
    private readonly Func<HttpMessageHandler>? _handlers;
    private readonly List<HttpClient> _clients = [];
    private WebApplication? _app;
    private string? _adminToken;

    private LiveServer(TempDir dir, bool ownsDir, SimpleSyncOptions options, TimeProvider? time, Func<HttpMessageHandler>? handlers)
    {
        _dir = dir;
        _ownsDir = ownsDir;
        _time = time;
        _handlers = handlers;
        Options = options;
    }

    /// <summary>The options it runs with; after the first start, they name the port it got.</summary>
    public SimpleSyncOptions Options { get; private set; }

    public WebApplication App => _app ?? throw new InvalidOperationException("the server is stopped");

    public Uri BaseAddress { get; private set; } = null!;

    public string DataDirectory => _dir.Path;

    public string DatabasePath => Options.Storage.SqlitePath;

    /// <summary>A client with no token.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public static SimpleSyncOptions DefaultOptions(string directory) => new()
    {
        Server = new ServerSection { Listen = "http://127.0.0.1:0", LogLevel = LogLevel.Error },
        Storage = new StorageSection { SqlitePath = Path.Combine(directory, "simple-sync.db") },
        // A cheap password hash: the production cost has a test of its own, and logins are in almost every test.
        Auth = new AuthSection { JwtSecretFile = Path.Combine(directory, "jwt-secret"), PasswordIterations = 1_000 },
    };

    /// <summary>
    /// Starts a server; <paramref name="dir"/> lets a test restart over the same files, and
    /// <paramref name="handlers"/> makes the clients' connections (one that trusts the server's
    /// test certificate, for HTTPS).
    /// </summary>
    public static async Task<LiveServer> StartAsync(
        Func<SimpleSyncOptions, SimpleSyncOptions>? configure = null, TimeProvider? time = null, TempDir? dir = null,
        Func<HttpMessageHandler>? handlers = null)
    {
        var ownsDir = dir is null;
        dir ??= new TempDir();
        var options = DefaultOptions(dir.Path);
        options = configure?.Invoke(options) ?? options;
        var server = new LiveServer(dir, ownsDir, options, time, handlers);
        try
        {
            await server.StartAgainAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        server.Anonymous = server.NewClient();
        return server;
    }

    /// <summary>Starts the server again on the same port over the same files (after <see cref="StopAsync"/>).</summary>
    public async Task StartAgainAsync()
    {
        _app = ServerApp.Build(Options, _time);
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

    public string AdminPassword => File.ReadAllText(InitialAdmin.PasswordFile(Options)).Trim();

    /// <summary>
    /// A client of this server, with <paramref name="token"/> if given, through
    /// <paramref name="handler"/> (such as a network that fails on purpose) or the server's own handlers.
    /// </summary>
    public HttpClient NewClient(string? token = null, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? _handlers?.Invoke() ?? new SocketsHttpHandler(), disposeHandler: true)
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return client;
    }

    /// <summary>Logs in through POST /auth/token, which must succeed; returns the token.</summary>
    public async Task<string> LoginAsync(string username, string password)
    {
        using var response = await Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest(username, password),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken);
        return body!.Token;
    }

    public async Task<HttpClient> AdminAsync() =>
        NewClient(_adminToken ??= await LoginAsync("admin", AdminPassword));

    /// <summary>Creates a user through the admin API; returns their uuid. The password is <see cref="PasswordOf"/>.</summary>
    public async Task<string> CreateUserAsync(string username, string? uuid = null)
    {
        uuid ??= $"user-{username}";
        var admin = await AdminAsync();
        using var response = await admin.PostAsJsonAsync("/admin/users", new CreateUserRequest(uuid, username, PasswordOf(username)),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return uuid;
    }

    /// <summary>Creates a user through the admin API and returns a client logged in as them.</summary>
    public async Task<(string Uuid, HttpClient Client)> NewUserAsync(string username, string? uuid = null)
    {
        uuid = await CreateUserAsync(username, uuid);
        return (uuid, NewClient(await LoginAsync(username, PasswordOf(username))));
    }

    public static string PasswordOf(string username) => $"pw-{username}-secret";

    public async Task SetAclAsync(params AclRule[] rules)
    {
        var admin = await AdminAsync();
        using var response = await admin.PutAsJsonAsync("/acl", new AclDocument(rules), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Lets every user do anything: for tests about something other than the ACL.</summary>
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

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await StopAsync();
        if (_ownsDir)
            _dir.Dispose();
    }
}
