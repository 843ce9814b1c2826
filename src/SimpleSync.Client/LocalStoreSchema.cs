using Microsoft.Data.Sqlite;

namespace SimpleSync.Client;

/// <summary>
/// The local store's tables, as steps from an empty file. A file's <c>user_version</c> counts the
/// steps it has had; files from before versions were kept read 0 and already hold the tables of
/// step 1, which therefore creates them only when they are missing. Opening a file runs the steps
/// it lacks, in order, in one transaction that holds the write lock from the start, so an old
/// file is migrated in place exactly once even when two processes open it at the same moment.
/// </summary>
internal static class LocalStoreSchema
{
    private static readonly string[] Steps =
    [
        // 1: timestamps as their signed bits.
        """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS authoritative (
            uuid TEXT PRIMARY KEY, timestamp INTEGER NOT NULL, user_uuid TEXT NOT NULL,
            item_uuid TEXT NOT NULL, action TEXT NOT NULL, payload TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS pending (
            ord INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, timestamp INTEGER NOT NULL, user_uuid TEXT NOT NULL,
            item_uuid TEXT NOT NULL, action TEXT NOT NULL, payload TEXT NOT NULL) STRICT;
        """,
        // 2: timestamps as TimestampKey keys, so that SQL reads the history in order from an index.
        // uuid's BINARY order is Event.HistoryOrder's ordinal one: valid uuids are ASCII.
        $"""
        ALTER TABLE authoritative RENAME COLUMN timestamp TO ts_key;
        UPDATE authoritative SET ts_key = {KeyOfSignedBits("ts_key")};
        CREATE INDEX authoritative_history_order ON authoritative (ts_key, uuid);
        ALTER TABLE pending RENAME COLUMN timestamp TO ts_key;
        UPDATE pending SET ts_key = {KeyOfSignedBits("ts_key")};
        """,
    ];

    /// <summary>The step count a file of this version of the SDK has.</summary>
    public static int Version => Steps.Length;

    /// <summary>Brings the store on <paramref name="connection"/> up to <see cref="Version"/>.</summary>
    /// <exception cref="InvalidOperationException">A newer version of the SDK wrote the file.</exception>
    public static void Migrate(SqliteConnection connection)
    {
        // Not deferred: BEGIN IMMEDIATE takes the write lock before the version is read.
        using var tx = connection.BeginTransaction();
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(read.ExecuteScalar());
        if (version > Steps.Length)
        {
            throw new InvalidOperationException(
                $"the local store was written by a newer version of SimpleSync.Client (schema {version}; this version knows up to {Steps.Length})");
        }
        if (version == Steps.Length)
            return;
        using var step = connection.CreateCommand();
        for (var v = version; v < Steps.Length; v++)
        {
            step.CommandText = Steps[v];
            step.ExecuteNonQuery();
        }
        step.CommandText = $"PRAGMA user_version = {Steps.Length}";
        step.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>
    /// SQL for TimestampKey.ToKey of a timestamp stored as its signed bits: the top bit flipped is
    /// 2^63 subtracted from a non-negative value and added to a negative one, each in two steps
    /// that stay within 64 bits (SQLite turns an integer that overflows into a float).
    /// </summary>
    private static string KeyOfSignedBits(string column) =>
        $"CASE WHEN {column} >= 0 THEN {column} - 9223372036854775807 - 1 ELSE {column} + 9223372036854775807 + 1 END";
}
