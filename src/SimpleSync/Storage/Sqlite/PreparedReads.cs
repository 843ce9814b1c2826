using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The reads on the path of nearly every request — the token's user, the head, the ACL's version,
/// a page of history — on a few connections kept open, each keeping its statements prepared.
/// Microsoft.Data.Sqlite prepares a new command's SQL afresh, and a connection closed into its
/// pool keeps no statements (dotnet/efcore#14044): SQL text was parsed on every request. A
/// session is one open connection with one command per SQL text; a read takes a session, or
/// opens one when all are busy, and gives it back (up to <see cref="KeptOpen"/> are kept). A
/// prepared statement that is reset holds no read lock, so kept sessions never pin the WAL.
/// </summary>
internal sealed class PreparedReads(SqliteDatabase database) : IDisposable
{
    /// <summary>Sessions kept between reads: more than the requests a 2–8 core server runs at once.</summary>
    private const int KeptOpen = 16;

    private readonly ConcurrentBag<Session> _idle = [];
    private volatile bool _disposed;

    /// <summary>
    /// Runs <paramref name="read"/> with the prepared command for <paramref name="sql"/>; it binds
    /// its parameters with <see cref="Bind"/> and executes the command, disposing any reader.
    /// </summary>
    public T Run<T>(string sql, Func<SqliteCommand, T> read)
    {
        var session = _idle.TryTake(out var idle) ? idle : new Session(database.Open());
        T result;
        try
        {
            result = read(session.Command(sql));
        }
        catch (SqliteException ex)
        {
            session.Dispose();
            throw SqliteDatabase.Translate(ex);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        if (_disposed || _idle.Count >= KeptOpen)
            session.Dispose();
        else
            _idle.Add(session);
        return result;
    }

    /// <summary>Sets a parameter of a kept command: added the first time, its value changed after.</summary>
    public static void Bind(SqliteCommand command, string name, object value)
    {
        if (command.Parameters.Contains(name))
            command.Parameters[name].Value = value;
        else
            command.Parameters.AddWithValue(name, value);
    }

    /// <summary>Closes the kept sessions; one in use is closed when its read ends.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
            session.Dispose();
    }

    private sealed class Session(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public SqliteCommand Command(string sql)
        {
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                command.CommandText = sql;
                _commands.Add(sql, command);
            }
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
                command.Dispose();
            connection.Dispose();
        }
    }
}
