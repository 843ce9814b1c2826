using System.Net;
using System.Net.Http.Json;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// A directory the executable runs in, as an operator's would be: ./simple-sync.toml (found
/// without --config) asks for a free port and quiet logs, and data/ lands here with the store,
/// the JWT secret and the initial admin password.
/// </summary>
internal sealed class CliWorkspace : IDisposable
{
    public const string DefaultConfig = """
        [server]
        listen = "http://127.0.0.1:0"
        log_level = "warning"
        """;

    private readonly TempDir _dir = new();

    /// <summary>
    /// A workspace whose store is <paramref name="database"/>: the connection string in a file beside
    /// the config (<c>storage.postgres_file</c>), as an operator keeps it.
    /// </summary>
    public static CliWorkspace OnPostgres(TestPostgres database)
    {
        var workspace = new CliWorkspace($"""
            {DefaultConfig}

            [storage]
            provider = "postgres"
            postgres_file = "postgres.conn"
            """);
        workspace.Write("postgres.conn", database.ConnectionString + "\n");
        return workspace;
    }

    public CliWorkspace(string? config = DefaultConfig)
    {
        if (config is not null)
            System.IO.File.WriteAllText(ConfigFile, config);
    }

    public string Path => _dir.Path;

    public string ConfigFile => File("simple-sync.toml");

    public string DatabaseFile => Data("simple-sync.db");

    public string AdminPassword => System.IO.File.ReadAllText(Data("initial-admin-password")).Trim();

    public string File(string name) => _dir.File(name);

    public string Data(string name) => System.IO.Path.Combine(_dir.Path, "data", name);

    /// <summary>Writes <paramref name="content"/> to a file in the workspace and returns its full path.</summary>
    public string Write(string name, string content)
    {
        System.IO.File.WriteAllText(File(name), content);
        return File(name);
    }

    public Task<ExeResult> RunAsync(params string[] args) => ExecutableRunner.RunAsync(Path, args);

    public Task<ExeResult> RunAsync(string[] args, string? stdin = null, IReadOnlyDictionary<string, string?>? environment = null) =>
        ExecutableRunner.RunAsync(Path, args, stdin, environment);

    /// <summary>Runs a command that must succeed; fails the test with what it printed otherwise.</summary>
    public async Task<ExeResult> RunOkAsync(string[] args, string? stdin = null)
    {
        var result = await RunAsync(args, stdin);
        Assert.True(result.ExitCode == 0, $"simple-sync {string.Join(' ', args)} failed: {result}");
        return result;
    }

    public Task<ServerProcess> ServeAsync(IReadOnlyDictionary<string, string?>? environment = null) =>
        ServerProcess.StartAsync(Path, environment: environment, ct: TestContext.Current.CancellationToken);

    /// <summary>The file's permission bits; these tests run where the server runs, on Unix.</summary>
    public static UnixFileMode UnixModeOf(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("file modes are a Unix notion");
        return System.IO.File.GetUnixFileMode(path);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>The HTTP calls the CLI tests make against a server process.</summary>
internal static class ServerCalls
{
    public static async Task<HttpResponseMessage> PostTokenAsync(this ServerProcess server, string username, string password)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = ExecutableRunner.Timeout };
        return await client.PostAsJsonAsync("/auth/token", new TokenRequest(username, password), TestContext.Current.CancellationToken);
    }

    public static async Task<string> LoginAsync(this ServerProcess server, string username, string password)
    {
        using var response = await server.PostTokenAsync(username, password);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login of {username} answered {(int)response.StatusCode}");
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken);
        return body!.Token;
    }

    public static async Task<HttpClient> AdminAsync(this ServerProcess server, CliWorkspace workspace) =>
        server.NewClient(await server.LoginAsync("admin", workspace.AdminPassword));

    public static async Task<string> AdminUuidAsync(this HttpClient admin)
    {
        var users = await admin.GetFromJsonAsync<List<UserInfo>>("/admin/users", TestContext.Current.CancellationToken);
        return users!.Single(u => u.Username == "admin").Uuid;
    }

    public static async Task PutAclAsync(this HttpClient admin, params AclRule[] rules)
    {
        using var response = await admin.PutAsJsonAsync("/acl", new AclDocument(rules), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public static async Task CreateUserAsync(this HttpClient admin, string uuid, string username, string password)
    {
        using var response = await admin.PostAsJsonAsync("/admin/users", new CreateUserRequest(uuid, username, password),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Pushes events that must all be accepted; returns the Sync-Cursor of the answer.</summary>
    public static async Task<long> PushAcceptedAsync(this HttpClient client, params Event[] events)
    {
        using var response = await client.PushAsync(events);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0", response.Headers.GetValues("Sync-Rejected").Single());
        return long.Parse(response.Headers.GetValues("Sync-Cursor").Single());
    }
}
