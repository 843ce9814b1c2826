namespace SimpleSync.LoadGen;

/// <summary>A user the load generator created, with a token to act as them.</summary>
internal sealed record BenchUser(string Uuid, string Username, string Token);

/// <summary>
/// A server for one scenario run: its own temporary data directory, the admin logged in and an
/// ACL that allows everything, so every pushed event is stored. Disposing stops the server and
/// deletes the directory.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private const string Password = "bench-password-1";

    private readonly string _serverDll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly DirectoryInfo _data;

    private BenchServer(string serverDll, IReadOnlyDictionary<string, string> environment, DirectoryInfo data)
    {
        _serverDll = serverDll;
        _environment = environment;
        _data = data;
    }

    public ServerProcess Process { get; private set; } = null!;

    public BenchHttp Http { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public int Pid => Process.Pid;

    public static async Task<BenchServer> StartAsync(string serverDll, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var server = new BenchServer(serverDll, environment, Directory.CreateTempSubdirectory("simple-sync-bench-"));
        try
        {
            await server.LaunchAsync(ct);
            var password = (await File.ReadAllTextAsync(Path.Combine(server._data.FullName, "initial-admin-password"), ct)).Trim();
            server.AdminToken = await server.Http.LoginAsync("admin", password, ct);
            await server.Http.AllowAllAsync(server.AdminToken, ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync(CancellationToken ct)
    {
        Process = await ServerProcess.StartAsync(_serverDll, _data.FullName, _environment, ct);
        Http = new BenchHttp(Process.BaseAddress);
    }

    /// <summary>
    /// Creates users <c>{prefix}-1</c>… and logs each in. Passwords are PBKDF2 with 600,000
    /// iterations, so this takes about half a second a user; two at a time use both cores.
    /// </summary>
    public async Task<BenchUser[]> CreateUsersAsync(string prefix, int count, CancellationToken ct)
    {
        var users = new BenchUser[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (i, token) =>
        {
            var uuid = $"u-{prefix}-{i + 1}";
            var username = $"{prefix}-{i + 1}";
            await Http.CreateUserAsync(AdminToken, uuid, username, Password, token);
            users[i] = new BenchUser(uuid, username, await Http.LoginAsync(username, Password, token));
        });
        return users;
    }

    /// <summary>
    /// Stops the server and starts it again on the same data: a fresh process whose memory holds
    /// nothing from seeding. Tokens stay valid (same key, same users).
    /// </summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        Http.Dispose();
        await Process.DisposeAsync();
        await LaunchAsync(ct);
    }

    /// <summary>Warnings and errors the server logged, for the report.</summary>
    public IReadOnlyList<string> ServerLog => Process.Stderr;

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Process is not null)
            await Process.DisposeAsync();
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
