using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The one connection that appends, for <see cref="GroupCommit"/>. Its BEGIN IMMEDIATE holds the
/// file's write lock from the first seq given to the commit, so seqs are given in commit order
/// even when another process (the CLI) writes too: a reader never sees seq N+1 before N.
/// </summary>
internal sealed class SqliteWriter(SqliteDatabase database) : IDisposable
{
    private SqliteConnection? _connection;
    private AppendStatements? _statements;

    public Task<AppendOutcome[][]> CommitAsync(IReadOnlyList<IReadOnlyList<Event>> batch)
    {
        try
        {
            _connection ??= database.OpenForWrite();
            _statements ??= new AppendStatements(_connection);
            return Task.FromResult(Commit(_connection, _statements, batch));
        }
        catch (Exception ex)
        {
            // A fresh connection next time, in case this one is in a bad state.
            Dispose();
            throw ex is SqliteException sqlite ? SqliteDatabase.Translate(sqlite) : ex;
        }
    }

    private static AppendOutcome[][] Commit(SqliteConnection connection, AppendStatements statements, IReadOnlyList<IReadOnlyList<Event>> batch)
    {
        var results = new AppendOutcome[batch.Count][];
        using var tx = connection.BeginTransaction(deferred: false);
        statements.Bind(tx);
        for (var i = 0; i < batch.Count; i++)
        {
            var events = batch[i];
            results[i] = new AppendOutcome[events.Count];
            for (var j = 0; j < events.Count; j++)
                results[i][j] = statements.Append(events[j]);
        }
        tx.Commit();
        return results;
    }

    public void Dispose()
    {
        _statements?.Dispose();
        _connection?.Dispose();
        (_statements, _connection) = (null, null);
    }
}
