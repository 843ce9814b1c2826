using SimpleSync.Config;
using SimpleSync.Errors;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// Fans committed batches out to live streams. The server's one <see cref="HistoryFeed"/> calls
/// <see cref="Publish"/> with every commit, this server's or another's, in seq order; each subscriber has a
/// buffer bounded in events, and one that falls behind by more than that is cut off with a
/// reason rather than slowing pushes or holding memory. Batches are shared, not copied, between
/// subscribers. Streams are counted per user and in all (<c>sync.max_streams_per_user</c>,
/// <c>sync.max_streams</c>), so one token cannot hold thousands of connections open.
/// </summary>
internal sealed class StreamHub(SyncSection options)
{
    /// <summary>How long a client refused for too many streams is asked to wait.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly HashSet<StreamSubscription> _subscribers = [];
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private bool _closed;

    public int Count
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    /// <summary>A new stream for the user; 429 <c>rate_limited</c> with Retry-After past either limit.</summary>
    public StreamSubscription Subscribe(StreamOwner owner)
    {
        var subscription = new StreamSubscription(this, owner, options.StreamBufferEvents);
        lock (_gate)
        {
            if (_closed)
            {
                subscription.End(StreamEnd.ServerStopping);
                return subscription;
            }
            var mine = _perUser.GetValueOrDefault(owner.UserUuid);
            if (mine >= options.MaxStreamsPerUser)
                throw TooMany($"this user already has {mine} live streams open (sync.max_streams_per_user)");
            if (_subscribers.Count >= options.MaxStreams)
                throw TooMany($"the server already has {_subscribers.Count} live streams open (sync.max_streams)");
            _subscribers.Add(subscription);
            _perUser[owner.UserUuid] = mine + 1;
        }
        return subscription;
    }

    /// <summary>Called with the events of one commit, in seq order. Never blocks.</summary>
    public void Publish(IReadOnlyList<SequencedEvent> batch)
    {
        if (batch.Count == 0)
            return;
        foreach (var subscriber in Snapshot())
            subscriber.Offer(batch);
    }

    /// <summary>Ends the streams whose owner no longer holds a valid login; returns how many.</summary>
    public int Revoke(Func<StreamOwner, bool> revoked)
    {
        var ended = 0;
        foreach (var subscriber in Snapshot().Where(s => revoked(s.Owner)))
        {
            subscriber.End(StreamEnd.Revoked);
            ended++;
        }
        return ended;
    }

    /// <summary>The user uuids that have streams open now.</summary>
    public IReadOnlyList<string> Users()
    {
        lock (_gate)
            return [.. _perUser.Keys];
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
        {
            if (!_subscribers.Remove(subscription))
                return;
            var user = subscription.Owner.UserUuid;
            if (--_perUser[user] == 0)
                _perUser.Remove(user);
        }
    }

    private StreamSubscription[] Snapshot()
    {
        lock (_gate)
            return [.. _subscribers];
    }

    private static ApiException TooMany(string detail) =>
        new(ErrorCodes.RateLimited, $"{detail}; close one or try again later") { RetryAfter = RetryAfter };
}

/// <summary>Who a stream is for: the user, the security stamp of the token that opened it, and when that token expires.</summary>
internal sealed record StreamOwner(string UserUuid, string Stamp, DateTimeOffset TokenExpires);
