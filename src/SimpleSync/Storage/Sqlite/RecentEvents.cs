namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// The newest events this server committed, kept in memory for the reads that ask for little
/// past the head: every push-and-pull answer, every up-to-date client's next sync. It holds every
/// event with a seq in (<c>mark</c>, last], and knows it because a SQLite seq is given as the
/// largest so far plus one under the write lock: a commit whose first seq follows the last held one
/// directly had no other writer's commit before it. Otherwise (the CLI committed in between) it
/// starts again from that commit. Bounded by a count and by payload bytes; older reads go to SQL.
/// </summary>
internal sealed class RecentEvents(int maxEvents, long maxPayloadBytes)
{
    private readonly Lock _lock = new();
    private readonly List<SequencedEvent> _events = [];
    private long _mark = long.MaxValue;
    private long _bytes;

    /// <summary>A commit of this server's writer: its accepted events, in seq order.</summary>
    public void Committed(IReadOnlyList<SequencedEvent> events)
    {
        if (events.Count == 0)
            return;
        lock (_lock)
        {
            var empty = _events.Count == 0 && _mark == long.MaxValue;
            if (empty || events[0].Seq != (_events.Count > 0 ? _events[^1].Seq : _mark) + 1)
            {
                _events.Clear();
                _bytes = 0;
                _mark = events[0].Seq - 1;
            }
            foreach (var e in events)
            {
                _events.Add(e);
                _bytes += e.Event.Payload.Length;
            }
            var drop = 0;
            while (_events.Count - drop > maxEvents || _bytes > maxPayloadBytes && drop < _events.Count)
            {
                _bytes -= _events[drop].Event.Payload.Length;
                _mark = _events[drop].Seq;
                drop++;
            }
            _events.RemoveRange(0, drop);
        }
    }

    /// <summary>
    /// Adds to <paramref name="page"/> the events with seq in (<paramref name="cursor"/>,
    /// <paramref name="head"/>] that are held, until it is full. False when the events just past
    /// the cursor are no longer (or not yet) held. Otherwise <paramref name="through"/> is the seq
    /// up to which every event was added, or the last added when the page filled.
    /// </summary>
    public bool TryFill(long cursor, long head, PagedSnapshot.Page page, out long through)
    {
        through = cursor;
        lock (_lock)
        {
            if (cursor < _mark)
                return false;
            var at = FirstAfter(cursor);
            for (; at < _events.Count && _events[at].Seq <= head; at++)
            {
                through = _events[at].Seq;
                if (!page.Add(_events[at].Seq, _events[at].Event))
                    return true;
            }
            var held = _events.Count > 0 ? _events[^1].Seq : _mark;
            through = Math.Max(cursor, Math.Min(head, held));
            return true;
        }
    }

    private int FirstAfter(long cursor)
    {
        var (low, high) = (0, _events.Count);
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_events[middle].Seq <= cursor)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }
}
