using Microsoft.Data.Sqlite;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, each in its own
/// transaction together with the bump of <c>PRAGMA user_version</c>, so a crash leaves the
/// schema at a whole version.
/// </summary>
internal static class SqliteMigrations
{
    public static void Apply(SqliteConnection connection)
    {
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var current = Convert.ToInt32(version.ExecuteScalar());
        var migrations = MigrationScripts.Load("Sqlite");
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > latest)
            throw MigrationScripts.TooNew(current, latest);
        foreach (var (number, sql) in migrations.Where(m => m.Version > current))
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"{sql}\nPRAGMA user_version = {number};";
            command.ExecuteNonQuery();
            tx.Commit();
        }
    }
}
