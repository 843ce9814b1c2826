using System.Reflection;
using Microsoft.Data.Sqlite;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> scripts in order, each in its own
/// transaction together with the bump of <c>PRAGMA user_version</c>, so a crash leaves the
/// schema at a whole version.
/// </summary>
internal static class SqliteMigrations
{
    private const string Prefix = "SimpleSync.Sqlite.";

    public static void Apply(SqliteConnection connection)
    {
        var current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"));
        var migrations = Load();
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > latest)
        {
            throw new InvalidOperationException(
                $"the database schema is version {current}, newer than this server understands ({latest}); use a newer simple-sync");
        }
        foreach (var (version, _, sql) in migrations.Where(m => m.Version > current))
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"{sql}\nPRAGMA user_version = {version};";
            command.ExecuteNonQuery();
            tx.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<(int Version, string Name, string Sql)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var result = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)));
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            result.Add((version, name, reader.ReadToEnd()));
        }
        result.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }
}
