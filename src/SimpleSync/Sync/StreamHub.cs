using System.Threading.Channels;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// Fans committed batches out to live streams. The store calls <see cref="Publish"/> after each
/// commit (a PostgreSQL LISTEN/NOTIFY listener can call it the same way); each subscriber has a
/// buffer bounded in events, and one that falls behind by more than that is cut off with a
/// reason rather than slowing pushes or holding memory. Batches are shared, not copied, between
/// subscribers.
/// </summary>
internal sealed class StreamHub(int bufferEvents)
{
    private readonly Lock _gate = new();
    private readonly HashSet<StreamSubscription> _subscribers = [];
    private bool _closed;

    public int Count
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    public StreamSubscription Subscribe()
    {
        var subscription = new StreamSubscription(this, bufferEvents);
        lock (_gate)
        {
            if (_closed)
                subscription.End(StreamEnd.ServerStopping);
            else
                _subscribers.Add(subscription);
        }
        return subscription;
    }

    /// <summary>Called with the events of one commit, in seq order. Never blocks.</summary>
    public void Publish(IReadOnlyList<SequencedEvent> batch)
    {
        if (batch.Count == 0)
            return;
        StreamSubscription[] subscribers;
        lock (_gate)
            subscribers = [.. _subscribers];
        foreach (var subscriber in subscribers)
            subscriber.Offer(batch);
    }

    /// <summary>Ends every stream (server shutdown); later subscribers end at once.</summary>
    public void Close()
    {
        StreamSubscription[] subscribers;
        lock (_gate)
        {
            _closed = true;
            subscribers = [.. _subscribers];
        }
        foreach (var subscriber in subscribers)
            subscriber.End(StreamEnd.ServerStopping);
    }

    internal void Remove(StreamSubscription subscription)
    {
        lock (_gate)
            _subscribers.Remove(subscription);
    }
}

internal enum StreamEnd
{
    None,
    TooSlow,
    ServerStopping,
    Disconnected,
}

/// <summary>One stream's view of the hub: batches in commit order, until it ends.</summary>
internal sealed class StreamSubscription : IDisposable
{
    private readonly StreamHub _hub;
    private readonly int _bufferEvents;
    private readonly Channel<IReadOnlyList<SequencedEvent>> _batches =
        Channel.CreateUnbounded<IReadOnlyList<SequencedEvent>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _ended = new();
    private int _pendingEvents;
    private int _end;

    public StreamSubscription(StreamHub hub, int bufferEvents)
    {
        _hub = hub;
        _bufferEvents = bufferEvents;
    }

    public ChannelReader<IReadOnlyList<SequencedEvent>> Batches => _batches.Reader;

    /// <summary>Why the stream ended, once it has.</summary>
    public StreamEnd Ended => (StreamEnd)Volatile.Read(ref _end);

    /// <summary>Cancelled when the hub ends the stream, so a write blocked on a client that does not read is abandoned.</summary>
    public CancellationToken EndedToken => _ended.Token;

    /// <summary>The reader calls this for each batch it takes, so the buffer measures what is really waiting.</summary>
    public void Taken(IReadOnlyList<SequencedEvent> batch) => Interlocked.Add(ref _pendingEvents, -batch.Count);

    internal void Offer(IReadOnlyList<SequencedEvent> batch)
    {
        if (Interlocked.Add(ref _pendingEvents, batch.Count) > _bufferEvents)
        {
            End(StreamEnd.TooSlow);
            return;
        }
        _batches.Writer.TryWrite(batch);
    }

    internal void End(StreamEnd reason)
    {
        if (Interlocked.CompareExchange(ref _end, (int)reason, (int)StreamEnd.None) != (int)StreamEnd.None)
            return;
        _batches.Writer.TryComplete();
        _ended.Cancel();
        _hub.Remove(this);
    }

    // The token source is not disposed: it has no timer, and a publisher may still be ending
    // this subscription on another thread; ending it here makes any later End a no-op.
    public void Dispose() => End(StreamEnd.Disconnected);
}
