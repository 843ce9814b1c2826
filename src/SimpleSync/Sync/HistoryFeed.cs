using System.Threading.Channels;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// The one live feed of this server: everything committed to the history, by this server or any
/// other process, published to the <see cref="StreamHub"/> once, in seq order, from a high-water
/// mark. It wakes on a local commit (whose events it publishes as they are when they follow the
/// mark, without a read), on the store's word that another process committed (PostgreSQL's
/// NOTIFY), or on a poll (SQLite's other processes, a listening connection that is down); then it
/// reads from the mark. Streams only read the store for their backlog: after that, one read here
/// serves them all, however many are open.
/// </summary>
internal sealed class HistoryFeed(StreamHub hub, TimeProvider time, ILogger<HistoryFeed> logger) : BackgroundService
{
    private const int PageEvents = 1_000;

    private readonly Channel<IReadOnlyList<SequencedEvent>> _local =
        Channel.CreateUnbounded<IReadOnlyList<SequencedEvent>>(new UnboundedChannelOptions { SingleReader = true });
    private IEventStore? _store;
    private long _published;

    /// <summary>
    /// Follows <paramref name="store"/> from its head now. Called before the server takes requests:
    /// a stream reads its backlog from the store, so whatever it might miss was committed after
    /// this point and will be published.
    /// </summary>
    public async Task FollowAsync(IEventStore store, CancellationToken ct)
    {
        _published = await store.HeadAsync(ct);
        _store = store;
    }

    /// <summary>A commit of this server, its accepted events in seq order. Never blocks the writer.</summary>
    public void Committed(IReadOnlyList<SequencedEvent> batch) => _local.Writer.TryWrite(batch);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var store = _store ?? throw new InvalidOperationException("the feed follows no store");
        Task<bool>? local = null;
        Task<long>? others = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            // One pending wait of each kind survives the loop: each source allows one waiter.
            local ??= _local.Reader.WaitToReadAsync(stoppingToken).AsTask();
            others ??= store.OtherWritersCommittedAsync(stoppingToken);
            using var pollWait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var poll = Task.Delay(store.OtherWritersPoll, time, pollWait.Token);
            await Task.WhenAny(local, others, poll);
            await pollWait.CancelAsync();
            if (stoppingToken.IsCancellationRequested)
                return;
            try
            {
                var read = poll.IsCompletedSuccessfully;
                if (local.IsCompleted)
                {
                    if (!await local)
                        return;
                    local = null;
                    while (_local.Reader.TryRead(out var batch))
                        read |= !PublishLocal(batch);
                }
                if (others.IsCompleted)
                {
                    var announced = await others;
                    others = null;
                    read |= announced > _published;
                }
                if (read)
                    await CatchUpAsync(store, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The store is unreachable for now: the next wake or poll reads from the same mark.
                logger.LogWarning("The live feed could not read new events: {Message}", ex.Message);
                local = local is { IsFaulted: true } ? null : local;
                others = others is { IsFaulted: true } ? null : others;
            }
        }
    }

    /// <summary>Publishes a local commit that follows the mark; false when it does not (something came between: read instead).</summary>
    private bool PublishLocal(IReadOnlyList<SequencedEvent> batch)
    {
        if (batch[^1].Seq <= _published)
            return true;
        if (batch[0].Seq != _published + 1)
            return false;
        hub.Publish(batch);
        Volatile.Write(ref _published, batch[^1].Seq);
        return true;
    }

    private async Task CatchUpAsync(IEventStore store, CancellationToken ct)
    {
        await foreach (var page in store.PagesSinceAsync(_published, PageEvents, ct))
        {
            hub.Publish(page);
            Volatile.Write(ref _published, page[^1].Seq);
        }
    }
}
