using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

/// <summary>A store file written by an earlier version of the SDK opens and is brought up to date in place.</summary>
public sealed class StoreMigrationTests
{
    private const string DeviceId = "0123456789abcdef0123456789abcdef";

    // Timestamps as an earlier version stored them (their signed bits), on both sides of 2^53 and 2^63.
    private static readonly Event[] Authoritative =
    [
        Held("0193a5c0-0000-7000-8000-000000000001", ulong.MaxValue),
        Held("0193a5c0-0000-7000-8000-000000000002", 0),
        Held("0193a5c0-0000-7000-8000-000000000003", (1UL << 63) + 5),
        Held("0193a5c0-0000-7000-8000-000000000004", (1UL << 53) + 1),
        Held("0193a5c0-0000-7000-8000-00000000000B", (1UL << 63) - 1),
        Held("0193a5c0-0000-7000-8000-00000000000a", (1UL << 63) - 1),
        Held("0193a5c0-0000-7000-8000-000000000007", 1_735_689_600_000),
    ];

    private static readonly Event[] Pending =
    [
        new("0193a5c0-0000-7000-8000-000000000101", 1UL << 63, "user-alice", "task-2", "update", """{"title":"later"}"""),
        new("0193a5c0-0000-7000-8000-000000000102", 3, "user-alice", "task-3", "create", """{"title":"pending"}"""),
    ];

    [Fact]
    public void A_store_of_the_first_format_opens_with_its_history_in_order_and_its_pending_events_login_and_device()
    {
        using var dir = new TempDir();
        var path = dir.File("device.db");
        WriteFirstFormat(path);
        using var http = new HttpClient { BaseAddress = new Uri("https://example.test/") };

        using (var client = new SyncClient(http, path))
        {
            Assert.Equal([.. Authoritative.Order(Event.HistoryOrder), .. Pending], client.Events());
            Assert.Equal(Pending, client.PendingEvents());
            Assert.Equal("user-alice", client.UserUuid());
            Assert.Equal("alice", client.Username());
            Assert.Equal(DeviceId, client.DeviceId);
            Assert.Equal(2, client.Status().PendingCount);
            Assert.Equal("""{"title":"later"}""", client.Items()["task-2"].ToJsonString());
        }

        // Migrated once: the second opening finds the current format and the same contents.
        using var reopened = new SyncClient(http, path);
        Assert.Equal([.. Authoritative.Order(Event.HistoryOrder), .. Pending], reopened.Events());
        Assert.Equal(LocalStoreSchema.Version, UserVersion(path));
    }

    [Fact]
    public void A_store_written_by_a_newer_version_is_refused_and_left_as_it_was()
    {
        using var dir = new TempDir();
        var path = dir.File("device.db");
        WriteFirstFormat(path);
        Execute(path, $"PRAGMA user_version = {LocalStoreSchema.Version + 1}");
        using var http = new HttpClient { BaseAddress = new Uri("https://example.test/") };

        Assert.Throws<InvalidOperationException>(() => new SyncClient(http, path));

        Assert.Equal(LocalStoreSchema.Version + 1, UserVersion(path));
    }

    private static Event Held(string uuid, ulong timestamp) =>
        new(uuid, timestamp, "user-bob", $"task-{timestamp % 3}", "update", $$"""{"t":"{{timestamp}}"}""");

    /// <summary>The tables and rows as the SDK wrote them before the store had a version.</summary>
    private static void WriteFirstFormat(string path)
    {
        Execute(path, $"""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
            CREATE TABLE IF NOT EXISTS authoritative (
                uuid TEXT PRIMARY KEY, timestamp INTEGER NOT NULL, user_uuid TEXT NOT NULL,
                item_uuid TEXT NOT NULL, action TEXT NOT NULL, payload TEXT NOT NULL) STRICT;
            CREATE TABLE IF NOT EXISTS pending (
                ord INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, timestamp INTEGER NOT NULL, user_uuid TEXT NOT NULL,
                item_uuid TEXT NOT NULL, action TEXT NOT NULL, payload TEXT NOT NULL) STRICT;
            INSERT INTO meta VALUES ('device_id', '{DeviceId}'), ('token', 'eyJ.eyJ.c2ln'), ('user_uuid', 'user-alice'),
                ('username', 'alice'), ('cursor', '7'), ('epoch', '0123456789abcdef0123456789abcdef');
            """);
        using var connection = Open(path);
        foreach (var (table, events) in new[] { ("authoritative", Authoritative), ("pending", Pending) })
        {
            for (var i = 0; i < events.Length; i++)
            {
                var e = events[i];
                using var insert = connection.CreateCommand();
                insert.CommandText = table == "pending"
                    ? "INSERT INTO pending VALUES ($ord, $uuid, $ts, $user, $item, $action, $payload)"
                    : "INSERT INTO authoritative VALUES ($uuid, $ts, $user, $item, $action, $payload)";
                if (table == "pending")
                    insert.Parameters.AddWithValue("$ord", i + 1);
                insert.Parameters.AddWithValue("$uuid", e.Uuid);
                insert.Parameters.AddWithValue("$ts", unchecked((long)e.Timestamp));
                insert.Parameters.AddWithValue("$user", e.UserUuid);
                insert.Parameters.AddWithValue("$item", e.ItemUuid);
                insert.Parameters.AddWithValue("$action", e.Action);
                insert.Parameters.AddWithValue("$payload", e.Payload);
                insert.ExecuteNonQuery();
            }
        }
    }

    private static long UserVersion(string path)
    {
        using var connection = Open(path);
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        return (long)read.ExecuteScalar()!;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
