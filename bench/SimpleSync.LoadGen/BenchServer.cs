using SimpleSync.LoadGen.Scenarios;
using SimpleSync.LoadGen.Stores;
using SimpleSync.Testing;

namespace SimpleSync.LoadGen;

/// <summary>A user the load generator created, with a token to act as them.</summary>
internal sealed record BenchUser(string Uuid, string Username, string Token);

/// <summary>
/// The server of one scenario run: one <c>simple-sync serve</c> on a SQLite file, or one or two
/// on a PostgreSQL database, in a temporary data directory they share (the JWT secret, so each
/// accepts the other's tokens), with the admin logged in and an ACL that allows everything, so
/// every pushed event is stored. Disposing stops the servers, drops the database and deletes
/// the directory.
/// </summary>
internal sealed class BenchServer : IBenchTarget
{
    /// <summary>Every user's password (they are throwaway users of a throwaway server).</summary>
    public const string Password = "bench-password-1";

    private readonly string _serverDll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly DirectoryInfo _data;
    private readonly List<ServerProcess> _processes = [];
    private readonly List<BenchHttp> _http = [];

    private BenchServer(string serverDll, IReadOnlyDictionary<string, string> environment, DirectoryInfo data, BenchDatabase? database)
    {
        _serverDll = serverDll;
        _environment = environment;
        _data = data;
        Database = database;
    }

    /// <summary>The PostgreSQL database the servers share; null on SQLite.</summary>
    public BenchDatabase? Database { get; }

    /// <summary>The first server: the one users are created on.</summary>
    public BenchHttp Http => _http[0];

    /// <summary>
    /// The server client number <paramref name="client"/> talks to: clients alternate between the
    /// servers, so with two the even ones go to the first and the odd ones to the second.
    /// </summary>
    public BenchHttp HttpOf(int client) => _http[client % _http.Count];

    public string AdminToken { get; private set; } = "";

    public IReadOnlyList<int> Pids => _processes.ConvertAll(p => p.Pid);

    /// <summary>A meter of the CPU of the servers and of PostgreSQL, when it runs on this machine.</summary>
    public CpuMeter CpuMeter() => new(Pids, Database?.PostmasterPid);

    public MemoryMeter MemoryMeter() => new(Pids);

    /// <summary>
    /// Starts <paramref name="count"/> servers, one after the other, on SQLite or (with
    /// <paramref name="database"/>) on that PostgreSQL database, whose connection string goes
    /// through the environment only.
    /// </summary>
    public static async Task<BenchServer> StartAsync(string serverDll, IReadOnlyDictionary<string, string> environment,
        BenchDatabase? database, int count, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>(environment);
        if (database is not null)
        {
            settings["SIMPLESYNC_STORAGE_PROVIDER"] = "postgres";
            settings["SIMPLESYNC_STORAGE_POSTGRES"] = database.ConnectionString;
        }
        var server = new BenchServer(serverDll, settings, Directory.CreateTempSubdirectory("simple-sync-bench-"), database);
        try
        {
            await server.LaunchAsync(count, ct);
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

    /// <summary>
    /// From the first server's process start to its answer to a first request (<c>GET /health</c>,
    /// sent as soon as it says it listens): what a deploy or restart costs before clients are served.
    /// </summary>
    public TimeSpan FirstAnswer { get; private set; }

    private async Task LaunchAsync(int count, CancellationToken ct)
    {
        // One at a time: the first creates the schema and the admin, the others find them.
        for (var i = 0; i < count; i++)
        {
            var spawned = System.Diagnostics.Stopwatch.GetTimestamp();
            var process = await StartProcessAsync(ct);
            _processes.Add(process);
            _http.Add(new BenchHttp(process.BaseAddress));
            if (i == 0)
            {
                await _http[0].GetAsync(null, new Uri("health", UriKind.Relative), new ResponseBuffer(), ct);
                FirstAnswer = System.Diagnostics.Stopwatch.GetElapsedTime(spawned);
            }
        }
    }

    /// <summary>One <c>simple-sync serve</c> on a free loopback port, logging warnings and errors only.</summary>
    private async Task<ServerProcess> StartProcessAsync(CancellationToken ct)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SIMPLESYNC_SERVER_LISTEN"] = "http://127.0.0.1:0",
            ["SIMPLESYNC_SERVER_LOG_LEVEL"] = "warning",
            ["SIMPLESYNC_STORAGE_SQLITE_PATH"] = Path.Combine(_data.FullName, "simple-sync.db"),
            ["SIMPLESYNC_AUTH_JWT_SECRET_FILE"] = Path.Combine(_data.FullName, "jwt-secret"),
        };
        foreach (var (key, value) in _environment)
            environment[key] = value;
        try
        {
            return await ServerProcess.StartAsync(_data.FullName, environment: environment, dll: _serverDll, ct: ct);
        }
        catch (InvalidOperationException ex)
        {
            throw new BenchException(ex.Message);
        }
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

    public async Task<IBenchClient[]> CreateClientsAsync(string prefix, int count, CancellationToken ct) =>
        (await CreateUsersAsync(prefix, count, ct)).Select((user, i) => (IBenchClient)new SimpleSyncClient(this, i, user)).ToArray();

    /// <summary>
    /// On PostgreSQL, gives the planner statistics of what was just written, as autovacuum would
    /// soon do (see <see cref="BenchDatabase.AnalyzeAsync"/>); SQLite needs nothing.
    /// </summary>
    public Task SettleAsync(CancellationToken ct) => Database?.AnalyzeAsync(ct) ?? Task.CompletedTask;

    public async Task<CommitObserver?> ObserveCommitsAsync(MeasureWindow window, CancellationToken ct) =>
        await CommitObserver.StartAsync(Http, AdminToken, window, ct);

    /// <summary>
    /// Stops the servers and starts them again on the same data: fresh processes whose memory
    /// holds nothing from seeding. Tokens stay valid (same key, same users).
    /// </summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        var count = _processes.Count;
        await StopAsync();
        await LaunchAsync(count, ct);
    }

    private async Task StopAsync()
    {
        foreach (var http in _http)
            http.Dispose();
        foreach (var process in _processes)
            await StopAsync(process);
        _http.Clear();
        _processes.Clear();
    }

    /// <summary>SIGTERM, so the next start finds the data as a clean stop leaves it; killed if it does not stop in time.</summary>
    internal static async Task StopAsync(ServerProcess process)
    {
        try
        {
            await process.StopAsync();
        }
        catch (TimeoutException)
        {
            // Killed: the run goes on, as after any server that had to be killed.
        }
        await process.DisposeAsync();
    }

    /// <summary>Warnings and errors the servers logged, for the report.</summary>
    public IReadOnlyList<string> ServerLog => [.. _processes.SelectMany(p => p.StderrLines)];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Database is not null)
            await Database.DisposeAsync();
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
