using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SimpleSync.Admin;
using SimpleSync.Config;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Support;

/// <summary>
/// The real server (Kestrel on 127.0.0.1, a free port) over a SQLite file in a temp directory,
/// built from options as production builds it. Every test gets its own.
/// </summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly bool _ownsDir;
    private readonly List<HttpClient> _clients = [];
    private readonly Func<HttpMessageHandler>? _handlers;
    private string? _adminToken;

    private LiveServer(TempDir dir, bool ownsDir, SimpleSyncOptions options, WebApplication app, Func<HttpMessageHandler>? handlers)
    {
        _dir = dir;
        _handlers = handlers;
        _ownsDir = ownsDir;
        Options = options;
        App = app;
        BaseAddress = new Uri(app.Urls.Single());
        Anonymous = NewClient();
    }

    public SimpleSyncOptions Options { get; }
    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public string DataDirectory => _dir.Path;

    /// <summary>A client with no token.</summary>
    public HttpClient Anonymous { get; }

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
        var app = ServerApp.Build(options, time);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new LiveServer(dir, ownsDir, options, app, handlers);
    }

    public string AdminPassword => File.ReadAllText(InitialAdmin.PasswordFile(Options)).Trim();

    public HttpClient NewClient(string? token = null)
    {
        var client = _handlers is null ? new HttpClient() : new HttpClient(_handlers(), disposeHandler: true);
        client.BaseAddress = BaseAddress;
        client.Timeout = TimeSpan.FromSeconds(60);
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return client;
    }

    public async Task<string> LoginAsync(string username, string password)
    {
        using var response = await Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest(username, password),
            TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken);
        return body!.Token;
    }

    public async Task<HttpClient> AdminAsync() =>
        NewClient(_adminToken ??= await LoginAsync("admin", AdminPassword));

    /// <summary>Creates a user through the admin API and returns a client logged in as them.</summary>
    public async Task<(string Uuid, HttpClient Client)> NewUserAsync(string username, string? uuid = null)
    {
        uuid ??= $"user-{username}";
        var admin = await AdminAsync();
        using var response = await admin.PostAsJsonAsync("/admin/users", new CreateUserRequest(uuid, username, PasswordOf(username)),
            TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (uuid, NewClient(await LoginAsync(username, PasswordOf(username))));
    }

    public static string PasswordOf(string username) => $"pw-{username}-secret";

    public async Task SetAclAsync(params AclRule[] rules)
    {
        var admin = await AdminAsync();
        using var response = await admin.PutAsJsonAsync("/acl", new AclDocument(rules), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Lets every user do anything: for tests about something other than the ACL.</summary>
    public Task AllowAllAsync() => SetAclAsync(new AclRule("*", "*", "*", true));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        if (_ownsDir)
            _dir.Dispose();
    }
}
