using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The one connection that appends, for <see cref="GroupCommit"/>. Its BEGIN IMMEDIATE holds the
/// file's write lock from the first seq given to the commit, so seqs are given in commit order
/// even when another process (the CLI) writes too: a reader never sees seq N+1 before N.
/// After a commit that added events it moves the history's change counter and, when no other
/// writer moved it meanwhile, keeps the new head, so the requests that follow read no head.
/// </summary>
internal sealed class SqliteWriter(SqliteDatabase database, ChangeCounters changes, KeptValue<long> head, RecentEvents recent) : IDisposable
{
    private SqliteConnection? _connection;
    private AppendStatements? _statements;

    public Task<AppendOutcome[][]> CommitAsync(IReadOnlyList<IReadOnlyList<Event>> batch)
    {
        try
        {
            _connection ??= database.OpenForWrite();
            _statements ??= new AppendStatements(_connection);
            // Read before the commit: if the count after it is one more, no other writer finished a
            // commit in between, and this commit's last seq is the head (seqs follow commit order).
            var before = changes.History;
            var results = Commit(_connection, _statements, batch);
            var accepted = GroupCommit.Accepted(batch, results);
            if (accepted.Count > 0)
            {
                recent.Committed(accepted);
                // A command that cannot open the change file throws here, after its commit, unlike
                // every other failure of this method; its message says the events are stored.
                var after = changes.HistoryChanged();
                if (after == before + 1)
                    head.Offer(after, accepted[^1].Seq);
            }
            return Task.FromResult(results);
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
