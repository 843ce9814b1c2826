using Npgsql;

namespace SimpleSync.Tests.Support;

/// <summary>
/// A fresh database of its own for each test, on the PostgreSQL server named by
/// <c>SIMPLESYNC_TEST_POSTGRES</c> (scripts/test.sh starts a throwaway one and sets it), dropped
/// when the test ends. Without the variable the tests fail and say so: they never skip.
/// </summary>
internal sealed class TestPostgres : IDisposable
{
    public const string Variable = "SIMPLESYNC_TEST_POSTGRES";

    private readonly string _name = $"simplesync_test_{Guid.NewGuid():N}";

    public TestPostgres()
    {
        Execute($"CREATE DATABASE {_name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _name, Pooling = true }.ConnectionString;
    }

    /// <summary>A connection string to this test's own database.</summary>
    public string ConnectionString { get; }

    private static string Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{Variable} is not set: run the tests with ./scripts/test.sh, which starts a PostgreSQL server, " +
            $"or set {Variable} to a connection string of a role that may create databases");

    public void Dispose()
    {
        // Pooled connections of the store under test may still be open: FORCE ends them.
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
