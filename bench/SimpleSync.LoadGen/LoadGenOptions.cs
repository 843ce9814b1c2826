using System.Globalization;

namespace SimpleSync.LoadGen;

/// <summary>What to run and for how long, from the command line.</summary>
internal sealed record LoadGenOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/SimpleSync.LoadGen -- [options]

        Starts the Release build of simple-sync on 127.0.0.1 with a fresh data directory for each
        scenario run, drives it over HTTP and prints a table of figures against their targets.

          --quick               short runs (about 3 s of load a scenario, one run each)
          --scenario NAME       run only this scenario; repeat for several (see the list below).
                                physical runs once a round on no server: SQLite's own insert
                                and scan rates in this process, the limit the others are bound by
          --runs N              runs of each scenario; the best is reported (default 2, 1 with --quick)
          --warmup S            seconds of load before each measured window (default 3, 1 with --quick)
          --history-1m          also run pull-1m (seeds 1,000,000 events first)
          --observe-commits     count the server's commits in push scenarios with one extra live
                                stream (adds a little load; off for the headline figures)
          --json FILE           also write every run's figures as JSON
          --server DLL          the simple-sync.dll to start, or a native simple-sync executable
                                (default: src/SimpleSync/bin/<this configuration>)
          --server-env K=V      extra environment variable for the server process (repeatable)
          --stores LIST         the stores to run each scenario on, taking turns, comma-separated:
                                sqlite (one server; the default), postgres2 (two servers on one
                                fresh PostgreSQL database, clients alternating between them),
                                postgres1 (one server on PostgreSQL) and pouchdb (the peer:
                                PouchDB Server 4.2 on LevelDB, from bench/peer, installed there
                                with npm ci on first use; needs Node.js 20+). With pouchdb the
                                table adds how many times faster each simple-sync store was
                                than the peer
          --postgres CONN       for postgres1/2: an Npgsql connection string of a PostgreSQL user
                                that may create databases (default: $SIMPLESYNC_BENCH_POSTGRES,
                                else a throwaway durable cluster from scripts/postgres.sh)
          --help                this text
        """;

    public bool Quick { get; init; }
    public IReadOnlyList<string> Scenarios { get; init; } = [];
    public int Runs { get; init; } = 2;
    public int? WarmupSeconds { get; init; }
    public bool LargeHistory { get; init; }
    public bool ObserveCommits { get; init; }
    public string? JsonFile { get; init; }
    public string? ServerDll { get; init; }
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<StoreKind> Stores { get; init; } = [StoreKind.Sqlite];
    public string? Postgres { get; init; }

    /// <summary>Load before the measured window: JIT tiering, connection set-up and SQLite caches settle.</summary>
    public TimeSpan Warmup => TimeSpan.FromSeconds(WarmupSeconds ?? (Quick ? 1 : 3));

    /// <summary>The measured window of the load scenarios.</summary>
    public TimeSpan Window => Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);

    /// <summary>Parses the arguments; throws <see cref="UsageException"/> with a one-line reason.</summary>
    public static LoadGenOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadGenOptions();
        var scenarios = new List<string>();
        var environment = new Dictionary<string, string>();
        int? runs = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--quick": options = options with { Quick = true }; break;
                case "--history-1m": options = options with { LargeHistory = true }; break;
                case "--observe-commits": options = options with { ObserveCommits = true }; break;
                case "--scenario": scenarios.Add(Value(args, ref i)); break;
                case "--json": options = options with { JsonFile = Value(args, ref i) }; break;
                case "--server": options = options with { ServerDll = Value(args, ref i) }; break;
                case "--postgres": options = options with { Postgres = Value(args, ref i) }; break;
                case "--stores": options = options with { Stores = ParseStores(Value(args, ref i)) }; break;
                case "--runs":
                    runs = int.TryParse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 20
                        ? n
                        : throw new UsageException("--runs takes a number from 1 to 20");
                    break;
                case "--warmup":
                    options = options with
                    {
                        WarmupSeconds = int.TryParse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 0 and <= 600
                            ? w
                            : throw new UsageException("--warmup takes a number of seconds from 0 to 600"),
                    };
                    break;
                case "--server-env":
                    var pair = Value(args, ref i);
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                        throw new UsageException($"--server-env takes KEY=VALUE, not '{pair}'");
                    environment[pair[..equals]] = pair[(equals + 1)..];
                    break;
                case "--help" or "-h": throw new UsageException(null);
                default: throw new UsageException($"unknown option '{arg}'");
            }
        }
        return options with
        {
            Scenarios = scenarios,
            Runs = runs ?? (options.Quick ? 1 : 2),
            ServerEnvironment = environment,
            Postgres = options.Postgres ?? NonEmpty(Environment.GetEnvironmentVariable("SIMPLESYNC_BENCH_POSTGRES")),
        };
    }

    private static List<StoreKind> ParseStores(string list)
    {
        var stores = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(name => name switch
        {
            "sqlite" => StoreKind.Sqlite,
            "postgres1" => StoreKind.Postgres1,
            "postgres2" => StoreKind.Postgres2,
            "pouchdb" => StoreKind.Pouchdb,
            _ => throw new UsageException($"--stores: unknown store '{name}' (sqlite, postgres1, postgres2, pouchdb)"),
        }).Distinct().ToList();
        return stores.Count > 0 ? stores : throw new UsageException("--stores needs at least one store");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new UsageException($"{args[i - 1]} needs a value");
}

/// <summary>Where a scenario run's servers keep their data.</summary>
internal enum StoreKind
{
    /// <summary>One server on its own SQLite file.</summary>
    Sqlite,

    /// <summary>One server on a PostgreSQL database of its own.</summary>
    Postgres1,

    /// <summary>Two servers on one PostgreSQL database; clients alternate between them.</summary>
    Postgres2,

    /// <summary>Not simple-sync: the peer, PouchDB Server on LevelDB, driven through its CouchDB API.</summary>
    Pouchdb,
}

internal static class StoreKinds
{
    /// <summary>The store's name on the command line and in the report.</summary>
    public static string Name(this StoreKind store) => store.ToString().ToLowerInvariant();

    public static bool IsPostgres(this StoreKind store) => store is StoreKind.Postgres1 or StoreKind.Postgres2;

    /// <summary>The peer rather than a simple-sync store.</summary>
    public static bool IsPeer(this StoreKind store) => store == StoreKind.Pouchdb;

    /// <summary>How many <c>simple-sync serve</c> processes share the store.</summary>
    public static int Servers(this StoreKind store) => store == StoreKind.Postgres2 ? 2 : 1;
}

/// <summary>Bad command line (or --help, with no reason): the reason goes to stderr with the usage text.</summary>
internal sealed class UsageException(string? reason) : Exception(reason ?? "help was asked for")
{
    public string? Reason => reason;
}

/// <summary>A run that cannot go on (the server refused, a figure is impossible): one line, no stack trace.</summary>
internal sealed class BenchException(string message) : Exception(message);
