using System.Security.Cryptography;
using Npgsql;

namespace SimpleSync.Storage.Postgres;

/// <summary>
/// Brings a database's schema up to date and finds its epoch. Several servers may start at once
/// on one database: a session advisory lock lets one of them migrate while the others wait, and
/// each migration commits together with its row in <c>schema_migrations</c>, so a crash leaves
/// the schema at a whole version.
/// </summary>
internal static class PostgresSchema
{
    // Advisory lock keys are per database; these two are SimpleSync's ("SSMIGRAT", "SSAPPEND").
    private const long MigrationLock = 0x5353_4D49_4752_4154;
    public const long AppendLock = 0x5353_4150_5045_4E44;

    public static async Task ApplyMigrationsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLock})", ct);
        try
        {
            await ExecuteAsync(connection,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", ct);
            await using var read = PostgresDatabase.Command(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations");
            var current = Convert.ToInt32(await read.ExecuteScalarAsync(ct));
            var migrations = MigrationScripts.Load("Postgres");
            var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
            if (current > latest)
                throw MigrationScripts.TooNew(current, latest);
            foreach (var (version, sql) in migrations.Where(m => m.Version > current))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, sql, ct);
                await ExecuteAsync(connection, $"INSERT INTO schema_migrations (version) VALUES ({version})", ct);
                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
        }
    }

    /// <summary>
    /// The store's epoch. A database restored from a dump into another database or cluster is a
    /// copy whose history may be behind what clients have seen, so it must not keep the epoch of
    /// its original: the epoch is stored with the database's home (cluster system identifier and
    /// database oid), and a store that finds itself elsewhere makes a new epoch.
    /// </summary>
    public static async Task<string> EnsureEpochAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Serialises servers starting at once, so they agree on one epoch.
        await ExecuteAsync(connection, "LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE", ct);
        await using var read = PostgresDatabase.Command(connection,
            "SELECT (SELECT value FROM meta WHERE key = 'epoch'), (SELECT value FROM meta WHERE key = 'home'), " +
            "(SELECT system_identifier::text FROM pg_control_system()) || ':' || (SELECT oid::text FROM pg_database WHERE datname = current_database())");
        string? epoch, home;
        string here;
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (epoch, home, here) = (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2));
        }
        if (epoch is null || home != here)
        {
            epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            await using var write = PostgresDatabase.Command(connection,
                "INSERT INTO meta (key, value) VALUES ('epoch', $1), ('home', $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                epoch, here);
            await write.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return epoch;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = PostgresDatabase.Command(connection, sql);
        await command.ExecuteNonQueryAsync(ct);
    }
}
