using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using SimpleSync.LoadGen.Scenarios;
using SimpleSync.LoadGen.Stores;
using SimpleSync.Testing;

namespace SimpleSync.LoadGen.Peer;

/// <summary>
/// PouchDB Server 4.2 for one scenario run, the peer SimpleSync is measured against: <c>node
/// pouchdb-server</c> on a free loopback port with LevelDB files in a fresh temporary directory,
/// as a deployment would run it (not <c>--in-memory</c>), logging off (its request log would
/// cost it a write per request), under the same watchdog as simple-sync. It is ready when
/// <c>GET /</c> answers and names the leveldb adapter. No users: it runs in CouchDB's "admin
/// party", so its clients send no credentials and it checks none. Disposing stops it (SIGTERM,
/// then SIGKILL after 15 s) and deletes the directory.
/// </summary>
internal sealed class PeerServer : IBenchTarget
{
    /// <summary>The one database every client syncs through, as every simple-sync client shares one history.</summary>
    public const string DatabaseName = "bench";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly PeerPackage.PeerInstall _install;
    private readonly DirectoryInfo _data;
    private ServerProcess? _process;
    private BenchHttp? _http;

    private PeerServer(PeerPackage.PeerInstall install, DirectoryInfo data)
    {
        _install = install;
        _data = data;
    }

    public BenchHttp Http => _http ?? throw new InvalidOperationException("the peer is not running");

    public IReadOnlyList<int> Pids => _process is { } p ? [p.Pid] : [];

    public BenchDatabase? Database => null;

    /// <summary>What the peer said on stderr (with logging off, normally nothing).</summary>
    public IReadOnlyList<string> ServerLog => _process?.StderrLines ?? [];

    /// <summary>The peer and its versions, for the report.</summary>
    public string Description { get; private set; } = "";

    public CpuMeter CpuMeter() => new(Pids);

    public MemoryMeter MemoryMeter() => new(Pids);

    public static async Task<PeerServer> StartAsync(Action<string> log, CancellationToken ct)
    {
        var install = await PeerPackage.EnsureInstalledAsync(log, ct);
        var peer = new PeerServer(install, Directory.CreateTempSubdirectory("simple-sync-bench-peer-"));
        try
        {
            // log.level none: express-pouchdb otherwise appends a line to log.txt for every request.
            var config = new JsonObject { ["log"] = new JsonObject { ["level"] = "none", ["file"] = Path.Combine(peer._data.FullName, "log.txt") } };
            await File.WriteAllTextAsync(Path.Combine(peer._data.FullName, "config.json"), config.ToJsonString(), ct);
            await peer.LaunchAsync(ct);
            await peer.Http.SendForTextAsync(HttpMethod.Put, $"/{DatabaseName}", null, [], ct);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>From the process start to its first answer to <c>GET /</c> (polled every 50 ms, so up to that much later).</summary>
    public TimeSpan FirstAnswer { get; private set; }

    private async Task LaunchAsync(CancellationToken ct)
    {
        var spawned = Stopwatch.GetTimestamp();
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        string[] command =
        [
            "node", _install.Script, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", Path.Combine(_data.FullName, "db"), "--config", Path.Combine(_data.FullName, "config.json"), "--no-stdout-logs",
        ];
        try
        {
            _process = await ServerProcess.StartProgramAsync(command, _data.FullName,
                new Dictionary<string, string?> { ["NODE_ENV"] = "production" }, address);
        }
        catch (InvalidOperationException ex)
        {
            throw new BenchException(ex.Message);
        }
        _http = new BenchHttp(address);
        Description = await WaitUntilAnsweringAsync(ct);
        FirstAnswer = Stopwatch.GetElapsedTime(spawned);
    }

    /// <summary>Asks <c>GET /</c> until it answers; checks that the databases are LevelDB ones.</summary>
    private async Task<string> WaitUntilAnsweringAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = new ResponseBuffer();
        while (true)
        {
            if (_process!.HasExited)
                throw new BenchException($"pouchdb-server exited at start: {string.Join(" ", _process.StderrLines.TakeLast(5))}");
            try
            {
                await Http.GetAsync(null, new Uri("/", UriKind.Relative), answer, ct);
                break;
            }
            catch (HttpRequestException) when (Stopwatch.GetElapsedTime(started) < StartTimeout)
            {
                await Task.Delay(50, ct);
            }
        }
        using var welcome = JsonDocument.Parse(answer.Span.ToArray());
        var version = welcome.RootElement.GetProperty("version").GetString();
        var adapters = welcome.RootElement.GetProperty("pouchdb-adapters").EnumerateArray().Select(a => a.GetString()).ToList();
        if (adapters is not ["leveldb"])
            throw new BenchException($"pouchdb-server uses {string.Join(", ", adapters)}, not leveldb");
        return $"PouchDB Server {version} (leveldb adapter, no fsync per write) on Node.js {_install.NodeVersion}";
    }

    /// <summary>A loopback port nothing listens on now. pouchdb-server cannot be told to pick one and say which.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task<IBenchClient[]> CreateClientsAsync(string prefix, int count, CancellationToken ct) =>
        Task.FromResult(Enumerable.Range(1, count).Select(i => (IBenchClient)new PeerClient(this, $"u-{prefix}-{i}")).ToArray());

    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync();
        await LaunchAsync(ct);
    }

    /// <summary>Nothing to do: LevelDB has no planner statistics.</summary>
    public Task SettleAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>The peer has no commits to count from outside.</summary>
    public Task<CommitObserver?> ObserveCommitsAsync(MeasureWindow window, CancellationToken ct) => Task.FromResult<CommitObserver?>(null);

    private async Task StopAsync()
    {
        _http?.Dispose();
        _http = null;
        if (_process is not null)
            await BenchServer.StopAsync(_process);
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
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
