using System.Net.Sockets;
using Npgsql;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

/// <summary>
/// The connection pool of one PostgreSQL database, and the translation of its errors into
/// <see cref="ApiException"/>: a server that is down, restarting or out of connections is
/// <c>unavailable</c> (503, try again), never a 500.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
            builder.ApplicationName = "simple-sync";
        // Where the store is, for the start-up line: host, port and database, never credentials.
        Location = $"postgres://{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        _source = NpgsqlDataSource.Create(builder);
    }

    public string Location { get; }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        try
        {
            return await _source.OpenConnectionAsync(ct);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, translating the database's errors.</summary>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        try
        {
            return await work(connection);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// Runs a read, once more on a fresh connection if the first one turns out to be dead: after
    /// PostgreSQL restarts, every idle pooled connection fails on first use, and a read is safe to
    /// repeat. Writes are not repeated here (the writer decides for itself).
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        try
        {
            await using var connection = await _source.OpenConnectionAsync(ct);
            return await work(connection);
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            // The pool may hold more dead connections: drop them rather than meet them one by one.
            _source.Clear();
            return await RunAsync(work, ct);
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The connection died under us (the server restarted, a proxy or an admin closed it) rather
    /// than the database refusing what we asked: worth one more try on a new connection.
    /// </summary>
    public static bool IsConnectionLost(Exception ex) => ex switch
    {
        // admin_shutdown, crash_shutdown, cannot_connect_now
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03",
        // The socket failed. Not a timeout or an exhausted pool: trying again would only double the wait.
        NpgsqlException npgsql => npgsql.InnerException is IOException or SocketException,
        _ => false,
    };

    /// <summary>Runs <paramref name="work"/> in one transaction, committed if it returns and rolled back if it throws.</summary>
    public Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) => RunAsync(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        var result = await work(connection);
        await tx.CommitAsync(ct);
        return result;
    }, ct);

    /// <summary>One command with positional parameters ($1, $2, …).</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        AddPositional(command.Parameters, parameters);
        return command;
    }

    /// <summary>One command of a batch, with positional parameters as <see cref="Command"/>.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddPositional(command.Parameters, parameters);
        return command;
    }

    private static void AddPositional(NpgsqlParameterCollection collection, object?[] parameters)
    {
        foreach (var value in parameters)
            collection.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
    }

    /// <summary>The <see cref="ApiException"/> for a database error, or null when it is not one we can name (a bug: it stays a 500).</summary>
    public static ApiException? Translate(Exception ex) => ex switch
    {
        ApiException => null,
        // unique_violation: the callers that expect one (users) name the value first.
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } =>
            new ApiException(ErrorCodes.Conflict, "that value is already taken"),
        // 08: connection exceptions; 53: out of connections, memory or disk; 57: shutting down,
        // cancelled by an admin; 40: serialisation failure or deadlock; 25006: a read-only standby;
        // 28: the login was refused; 3D: no such database.
        PostgresException pg when pg.SqlState[..2] is "08" or "53" or "57" or "40" or "28" or "3D"
            || pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction =>
            new ApiException(ErrorCodes.Unavailable, $"storage is unavailable: {pg.MessageText}"),
        PostgresException => null,
        // Not reaching the server at all: refused, reset, timed out, the pool exhausted.
        NpgsqlException or SocketException or TimeoutException or IOException =>
            new ApiException(ErrorCodes.Unavailable, "storage is unavailable: cannot reach the PostgreSQL server"),
        _ => null,
    };

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
