using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// Group commit: every append goes through one writer that takes all requests waiting at that
/// moment and commits them in one transaction, so N concurrent pushes cost one fsync instead of
/// N. A request's task completes only after the commit it was part of, so an answered push is
/// durable. One writer also makes seq assignment serial: a reader never sees seq N+1 before N.
/// </summary>
internal sealed class SqliteAppendQueue : IAsyncDisposable
{
    // Upper bound of events per transaction: keeps one commit's latency and WAL growth bounded.
    private const int MaxEventsPerCommit = 50_000;

    private readonly Channel<AppendJob> _jobs = Channel.CreateBounded<AppendJob>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SqliteDatabase _database;
    private readonly Action<IReadOnlyList<SequencedEvent>>? _committed;
    private readonly Task _writer;

    /// <param name="committed">Called after each commit with its accepted events in seq order (the live streams' feed).</param>
    public SqliteAppendQueue(SqliteDatabase database, Action<IReadOnlyList<SequencedEvent>>? committed)
    {
        _database = database;
        _committed = committed;
        _writer = Task.Run(RunAsync);
    }

    public async Task<AppendOutcome[]> AppendAsync(IReadOnlyList<Event> events, CancellationToken ct)
    {
        if (events.Count == 0)
            return [];
        var job = new AppendJob(events);
        await _jobs.Writer.WriteAsync(job, ct);
        // Once queued the job will be committed or failed; the caller waits for the truth
        // rather than answering early, so the answer never claims less than what is stored.
        return await job.Completion.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<AppendJob>();
        SqliteConnection? connection = null;
        AppendStatements? statements = null;
        try
        {
            while (await _jobs.Reader.WaitToReadAsync())
            {
                batch.Clear();
                var events = 0;
                while (events < MaxEventsPerCommit && _jobs.Reader.TryRead(out var job))
                {
                    batch.Add(job);
                    events += job.Events.Count;
                }
                try
                {
                    connection ??= _database.OpenForWrite();
                    statements ??= new AppendStatements(connection);
                    Commit(connection, statements, batch);
                }
                catch (Exception ex)
                {
                    // The transaction rolled back: nothing of this batch is stored. A fresh
                    // connection next time, in case this one is in a bad state.
                    var error = ex is SqliteException sqlite ? SqliteDatabase.Translate(sqlite) : ex;
                    foreach (var job in batch)
                        job.Completion.TrySetException(error);
                    statements?.Dispose();
                    connection?.Dispose();
                    (statements, connection) = (null, null);
                }
            }
        }
        finally
        {
            statements?.Dispose();
            connection?.Dispose();
        }
    }

    private void Commit(SqliteConnection connection, AppendStatements statements, List<AppendJob> batch)
    {
        var results = new AppendOutcome[batch.Count][];
        var accepted = new List<SequencedEvent>();
        using (var tx = connection.BeginTransaction(deferred: false))
        {
            statements.Bind(tx);
            for (var i = 0; i < batch.Count; i++)
            {
                var events = batch[i].Events;
                var outcomes = new AppendOutcome[events.Count];
                for (var j = 0; j < events.Count; j++)
                {
                    outcomes[j] = statements.Append(events[j]);
                    if (outcomes[j].Status == AppendStatus.Accepted)
                        accepted.Add(new SequencedEvent(outcomes[j].Seq, events[j]));
                }
                results[i] = outcomes;
            }
            tx.Commit();
        }
        if (accepted.Count > 0)
            _committed?.Invoke(accepted);
        for (var i = 0; i < batch.Count; i++)
            batch[i].Completion.TrySetResult(results[i]);
    }

    public async ValueTask DisposeAsync()
    {
        _jobs.Writer.TryComplete();
        await _writer;
    }

    private sealed class AppendJob(IReadOnlyList<Event> events)
    {
        public IReadOnlyList<Event> Events { get; } = events;
        public TaskCompletionSource<AppendOutcome[]> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
