using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;
using SQLitePCL;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// The physical limit on this machine in this run: how fast SQLite itself stores and reads the
/// rows the scenarios push, in this process, with no server, no HTTP and no JSON. A temporary
/// file gets the server's own schema (its migration scripts, read from src/) and its pragmas
/// (WAL, synchronous=FULL: every commit is flushed); rows are inserted with the server's insert
/// statement in transactions of 100 rows and of 1 row, then scanned in seq order (what
/// <c>GET /sync</c> pages read) and in history order (what <c>GET /events</c> reads). Machines
/// differ, and one machine differs from hour to hour; a server's figure next to this one says
/// how much of the machine it turns into work.
/// </summary>
internal static class PhysicalScenario
{
    private const int Rows = 100_000;
    private const int Batch = 100;
    private static readonly int[] TextColumns = [1, 3, 4, 5, 6];

    public static Scenario Define(string name) => new(
        name,
        $"SQLite in this process, the server's schema and pragmas: insert {Rows:N0} events in {Batch}-row transactions, " +
        "then 1-row transactions for the window; scan them in seq and in history order",
        false,
        // Blocking calls all the way: a thread of its own rather than the caller's.
        ctx => Task.Run(() => Run(ctx), ctx.Cancellation),
        ScenarioScope.Machine);

    private static ScenarioResult Run(ScenarioContext ctx)
    {
        var directory = Directory.CreateTempSubdirectory("simple-sync-bench-physical-");
        try
        {
            using var connection = Open(Path.Combine(directory.FullName, "physical.db"));
            var events = Enumerable.Range(0, Rows).Select(Sample).ToArray();
            var cpu = new CpuMeter([]);
            ctx.Log($"inserting {Rows:N0} events in {Batch}-row transactions");
            var batched = Insert(connection, events, Batch, TimeSpan.MaxValue, ctx.Cancellation);
            ctx.Log($"inserting 1-row transactions for {ctx.Options.Window.TotalSeconds:0} s");
            var single = Insert(connection, Enumerable.Range(Rows, int.MaxValue - Rows).Select(Sample), 1, ctx.Options.Window, ctx.Cancellation);
            var repeats = ctx.Options.Quick ? 1 : 3;
            var bySeq = Enumerable.Range(0, repeats).Max(_ => Scan(connection, "ORDER BY seq"));
            var byHistory = Enumerable.Range(0, repeats).Max(_ => Scan(connection, "ORDER BY ts_key, uuid"));
            List<Figure> figures =
            [
                new($"insert, {Batch}-row transactions", batched, "events/s"),
                new("insert, 1-row transactions", single, "events/s"),
                new("scan in seq order (GET /sync)", bySeq, "events/s"),
                new("scan in history order (GET /events)", byHistory, "events/s"),
            ];
            var bytes = new FileInfo(Path.Combine(directory.FullName, "physical.db")).Length;
            return new ScenarioResult(ctx.Scenario, ctx.Run, figures, cpu.Stop(), null,
            [
                $"{Rows:N0} events of {events.Average(e => e.Payload.Length + e.Uuid.Length + e.UserUuid.Length + e.ItemUuid.Length + e.Action.Length):0} bytes of text " +
                $"({bytes / 1024.0 / 1024:0.0} MB file before the WAL checkpoint); inserts are the server's INSERT … RETURNING seq without its uuid lookup; " +
                $"scans step through every row and copy each column's bytes, best of {repeats}",
            ]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static Event Sample(int n) =>
        PushBody.Sample(Guid.CreateVersion7().ToString(), (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "u-physical", n);

    /// <summary>The server's settings for a connection that writes (SqliteDatabase.OpenForWrite and Initialise), then its schema.</summary>
    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA journal_size_limit = 16777216;";
        pragmas.ExecuteNonQuery();
        foreach (var script in ServerSchema())
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using var migrate = connection.CreateCommand();
            migrate.Transaction = tx;
            migrate.CommandText = File.ReadAllText(script);
            migrate.ExecuteNonQuery();
            tx.Commit();
        }
        return connection;
    }

    /// <summary>The server's SQLite migration scripts in order: the events table exactly as the server has it.</summary>
    private static IEnumerable<string> ServerSchema()
    {
        var root = ServerBuild.RepositoryRoot() ?? throw new BenchException("cannot find src/ for the server's schema");
        var folder = Path.Combine(root, "src", "SimpleSync", "Storage", "Sqlite", "Migrations");
        var scripts = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal).ToList() : [];
        return scripts.Count > 0 ? scripts : throw new BenchException($"no migration scripts in {folder}");
    }

    /// <summary>
    /// Inserts events in transactions of <paramref name="batch"/> (BEGIN IMMEDIATE … COMMIT, as the
    /// server's writer) until they run out or <paramref name="limit"/> has passed; returns events a second.
    /// </summary>
    private static double Insert(SqliteConnection connection, IEnumerable<Event> events, int batch, TimeSpan limit, CancellationToken ct)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText =
            "INSERT INTO events (uuid, ts_key, user_uuid, item_uuid, action, payload) " +
            "VALUES ($uuid, $ts, $user, $item, $action, $payload) RETURNING seq";
        var uuid = insert.Parameters.Add("$uuid", SqliteType.Text);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var user = insert.Parameters.Add("$user", SqliteType.Text);
        var item = insert.Parameters.Add("$item", SqliteType.Text);
        var action = insert.Parameters.Add("$action", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Text);
        insert.Prepare();
        var started = Stopwatch.GetTimestamp();
        long stored = 0;
        using var source = events.GetEnumerator();
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            ct.ThrowIfCancellationRequested();
            using var tx = connection.BeginTransaction(deferred: false);
            insert.Transaction = tx;
            var inThis = 0;
            for (; inThis < batch && source.MoveNext(); inThis++)
            {
                var e = source.Current;
                uuid.Value = e.Uuid;
                // The server's TimestampKey: the top bit flipped, so signed order is timestamp order.
                ts.Value = unchecked((long)(e.Timestamp ^ 0x8000_0000_0000_0000));
                user.Value = e.UserUuid;
                item.Value = e.ItemUuid;
                action.Value = e.Action;
                payload.Value = e.Payload;
                insert.ExecuteScalar();
            }
            tx.Commit();
            stored += inThis;
            if (inThis < batch)
                break;
        }
        return stored / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Steps through every event in the given order and copies each column's bytes, straight from
    /// SQLite's row buffer (no strings): what any reader of the rows must at least do. Returns events a second.
    /// </summary>
    private static double Scan(SqliteConnection connection, string order)
    {
        var sql = $"SELECT seq, uuid, ts_key, user_uuid, item_uuid, action, payload FROM events {order}";
        var sink = new byte[64 * 1024];
        var started = Stopwatch.GetTimestamp();
        if (raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement) != raw.SQLITE_OK)
            throw new BenchException($"cannot prepare {sql}: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}");
        long rows = 0;
        using (statement)
        {
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                // seq and ts_key as integers (asking for their bytes would make SQLite print them as text).
                BinaryPrimitives.WriteInt64LittleEndian(sink, raw.sqlite3_column_int64(statement, 0));
                BinaryPrimitives.WriteInt64LittleEndian(sink.AsSpan(8), raw.sqlite3_column_int64(statement, 2));
                var at = 16;
                foreach (var column in TextColumns)
                {
                    var value = raw.sqlite3_column_blob(statement, column);
                    value.CopyTo(sink.AsSpan(at));
                    at += value.Length;
                }
                rows++;
            }
            if (result != raw.SQLITE_DONE)
                throw new BenchException($"scanning events failed: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}");
        }
        return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
