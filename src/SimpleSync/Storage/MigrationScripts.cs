using System.Reflection;

namespace SimpleSync.Storage;

/// <summary>A store's schema migrations: the embedded <c>Migrations/NNNN_name.sql</c> scripts of one backend, in version order.</summary>
internal static class MigrationScripts
{
    /// <param name="backend">"Sqlite" or "Postgres": the resources are named SimpleSync.{backend}.NNNN_name.sql.</param>
    public static IReadOnlyList<(int Version, string Sql)> Load(string backend)
    {
        var prefix = $"SimpleSync.{backend}.";
        var assembly = Assembly.GetExecutingAssembly();
        var result = new List<(int Version, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)));
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            result.Add((version, reader.ReadToEnd()));
        }
        result.Sort((a, b) => a.Version.CompareTo(b.Version));
        return result;
    }

    /// <summary>The message for a schema newer than this build: never downgrade a store by accident.</summary>
    public static InvalidOperationException TooNew(int current, int latest) =>
        new($"the database schema is version {current}, newer than this server understands ({latest}); use a newer simple-sync");
}
