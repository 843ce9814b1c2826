using System.Diagnostics;
using Npgsql;

namespace SimpleSync.LoadGen;

/// <summary>
/// The PostgreSQL server of the postgres1 and postgres2 runs: the one named by --postgres or
/// SIMPLESYNC_BENCH_POSTGRES, else a throwaway cluster that scripts/postgres.sh starts in durable
/// mode (every commit flushed, as SQLite's synchronous=FULL) in a temporary directory and stops at
/// the end. Every scenario run gets a database of its own, dropped afterwards.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly DirectoryInfo? _cluster;

    private BenchPostgres(string connectionString, DirectoryInfo? cluster)
    {
        _connectionString = connectionString;
        _cluster = cluster;
    }

    /// <summary>The postmaster's pid when the server runs on this machine (its CPU is then measured), else null.</summary>
    public int? PostmasterPid { get; private set; }

    public static async Task<BenchPostgres> StartAsync(string? connectionString, CancellationToken ct)
    {
        DirectoryInfo? cluster = null;
        if (connectionString is null)
        {
            cluster = Directory.CreateTempSubdirectory("simple-sync-bench-pg-");
            connectionString = await RunScriptAsync("start", cluster.FullName, ct);
        }
        var postgres = new BenchPostgres(connectionString, cluster);
        try
        {
            // Its CPU is measured only for the cluster started here: the backend pid of a server
            // named by --postgres may be on another machine, or another process's pid here.
            if (cluster is not null)
            {
                await using var connection = await postgres.OpenAsync(null, ct);
                await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
                postgres.PostmasterPid = ProcFs.ParentPid((int)(await pid.ExecuteScalarAsync(ct))!);
            }
            return postgres;
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database for one scenario run.</summary>
    public async Task<BenchDatabase> CreateDatabaseAsync(CancellationToken ct)
    {
        var name = $"bench_{Guid.NewGuid():N}";
        await using (var connection = await OpenAsync(null, ct))
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
            await create.ExecuteNonQueryAsync(ct);
        var forServers = new NpgsqlConnectionStringBuilder(_connectionString) { Database = name }.ConnectionString;
        return new BenchDatabase(this, name, forServers);
    }

    /// <summary>A connection of the load generator's own, unpooled so that nothing holds a database it drops.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string? database, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, ApplicationName = "simple-sync-loadgen" };
        if (database is not null)
            builder.Database = database;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (NpgsqlException ex)
        {
            await connection.DisposeAsync();
            throw new BenchException($"cannot connect to PostgreSQL ({builder.Host}:{builder.Port}): {ex.Message}");
        }
    }

    /// <summary>Runs scripts/postgres.sh; its progress goes to our stderr, and start prints the connection string.</summary>
    private static async Task<string> RunScriptAsync(string command, string directory, CancellationToken ct)
    {
        var root = ServerBuild.RepositoryRoot() ?? throw new BenchException("cannot find scripts/postgres.sh; give --postgres");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(root, "scripts", "postgres.sh"), command, directory })
            info.ArgumentList.Add(arg);
        info.Environment["POSTGRES_DURABLE"] = "1";
        using var script = Process.Start(info)!;
        var output = await script.StandardOutput.ReadToEndAsync(ct);
        await script.WaitForExitAsync(ct);
        return script.ExitCode == 0
            ? output.Trim()
            : throw new BenchException($"scripts/postgres.sh {command} failed (exit code {script.ExitCode})");
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is null)
            return;
        try
        {
            await RunScriptAsync("stop", _cluster.FullName, CancellationToken.None);
            _cluster.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is BenchException or IOException)
        {
            Console.Error.WriteLine($"loadgen: the PostgreSQL cluster in {_cluster.FullName} was not cleaned up: {ex.Message}");
        }
    }
}

/// <summary>One scenario run's database: its connection string for the servers, what it did, and dropping it.</summary>
internal sealed class BenchDatabase(BenchPostgres postgres, string name, string connectionString) : IAsyncDisposable
{
    /// <summary>For the servers only, through SIMPLESYNC_STORAGE_POSTGRES: it holds the password.</summary>
    public string ConnectionString => connectionString;

    public int? PostmasterPid => postgres.PostmasterPid;

    /// <summary>
    /// Transaction ids assigned in the cluster (only transactions that write get one: here the
    /// servers' appends, nothing else during a measured window) and the history's head.
    /// </summary>
    public async Task<(long Xids, long Head)> CountersAsync(CancellationToken ct)
    {
        await using var connection = await postgres.OpenAsync(name, ct);
        await using var read = new NpgsqlCommand(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, (SELECT coalesce(max(seq), 0) FROM events)", connection);
        await using var reader = await read.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Gives the planner statistics of the events just seeded, as autovacuum does within its
    /// naptime (a minute): until then it plans a page of <c>seq &gt; N ORDER BY seq LIMIT 1000</c>
    /// as a scan of every later row plus a sort.
    /// </summary>
    public async Task AnalyzeAsync(CancellationToken ct)
    {
        await using var connection = await postgres.OpenAsync(name, ct);
        await using var analyze = new NpgsqlCommand("ANALYZE events", connection);
        await analyze.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = await postgres.OpenAsync(null, CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is BenchException or NpgsqlException)
        {
            Console.Error.WriteLine($"loadgen: database {name} was not dropped: {ex.Message}");
        }
    }
}
