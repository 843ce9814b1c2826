using System.Threading.Channels;
using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// Group commit: every append of one store goes through one writer that takes all requests
/// waiting at that moment and commits them in one transaction, so N concurrent pushes cost one
/// fsync instead of N. A request's task completes only after the commit it was part of, so an
/// answered push is durable. The backend's <c>commit</c> stores one batch in one transaction and
/// returns the outcomes of each request, or throws having stored nothing.
/// </summary>
internal sealed class GroupCommit : IAsyncDisposable
{
    // Upper bound of events per transaction: keeps one commit's latency and log growth bounded.
    private const int MaxEventsPerCommit = 50_000;

    private readonly Channel<AppendJob> _jobs = Channel.CreateBounded<AppendJob>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Func<IReadOnlyList<IReadOnlyList<Event>>, Task<AppendOutcome[][]>> _commit;
    private readonly Action<IReadOnlyList<SequencedEvent>>? _committed;
    private readonly Task _writer;

    /// <param name="commit">Stores one batch in one transaction; throws having stored nothing.</param>
    /// <param name="committed">Called after each commit with its accepted events in seq order (the live feed).</param>
    public GroupCommit(Func<IReadOnlyList<IReadOnlyList<Event>>, Task<AppendOutcome[][]>> commit,
        Action<IReadOnlyList<SequencedEvent>>? committed)
    {
        _commit = commit;
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
        while (await _jobs.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var queued = 0;
            while (queued < MaxEventsPerCommit && _jobs.Reader.TryRead(out var job))
            {
                batch.Add(job);
                queued += job.Events.Count;
            }
            var events = batch.ConvertAll(j => j.Events);
            AppendOutcome[][] results;
            try
            {
                results = await _commit(events);
            }
            catch (Exception ex)
            {
                // The transaction rolled back: nothing of this batch is stored.
                foreach (var job in batch)
                    job.Completion.TrySetException(ex);
                continue;
            }
            Report(batch, events, results);
        }
    }

    /// <summary>The accepted events of a committed batch with their seqs, in seq order (the order they were appended in).</summary>
    public static List<SequencedEvent> Accepted(IReadOnlyList<IReadOnlyList<Event>> batch, AppendOutcome[][] results)
    {
        var accepted = new List<SequencedEvent>();
        for (var i = 0; i < batch.Count; i++)
        {
            for (var j = 0; j < results[i].Length; j++)
            {
                if (results[i][j].Status == AppendStatus.Accepted)
                    accepted.Add(new SequencedEvent(results[i][j].Seq, batch[i][j]));
            }
        }
        return accepted;
    }

    private void Report(List<AppendJob> batch, List<IReadOnlyList<Event>> events, AppendOutcome[][] results)
    {
        var accepted = Accepted(events, results);
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
