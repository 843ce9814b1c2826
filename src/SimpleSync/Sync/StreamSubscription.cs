using System.Threading.Channels;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

internal enum StreamEnd
{
    None,
    TooSlow,
    ServerStopping,
    Revoked,
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

    public StreamSubscription(StreamHub hub, StreamOwner owner, int bufferEvents)
    {
        _hub = hub;
        Owner = owner;
        _bufferEvents = bufferEvents;
    }

    public StreamOwner Owner { get; }

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
