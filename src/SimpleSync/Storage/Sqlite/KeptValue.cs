using System.Collections.Concurrent;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// A value read from the database, kept with the value a <see cref="ChangeCounters"/> counter had
/// before the read: good for as long as the counter still reads the same. A value offered under
/// an older count than the kept one is dropped, so a slow reader never brings back an old value.
/// </summary>
internal sealed class KeptValue<T>
{
    private sealed record Entry(long Count, T Value);

    private Entry? _entry;

    /// <summary>The kept value if it was read under <paramref name="count"/>.</summary>
    public bool TryGet(long count, out T value)
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && entry.Count == count)
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/>, read after the counter showed <paramref name="count"/>, unless a newer one is kept.</summary>
    public void Offer(long count, T value)
    {
        var fresh = new Entry(count, value);
        var seen = Volatile.Read(ref _entry);
        while (seen is null || seen.Count < count)
        {
            var found = Interlocked.CompareExchange(ref _entry, fresh, seen);
            if (ReferenceEquals(found, seen))
                return;
            seen = found;
        }
    }

    /// <summary>
    /// The kept value if read under <paramref name="count"/>, otherwise <paramref name="read"/>'s,
    /// which is kept. The caller read <paramref name="count"/> before calling, so before the read.
    /// </summary>
    public T Get(long count, Func<T> read)
    {
        if (TryGet(count, out var kept))
            return kept;
        var value = read();
        Offer(count, value);
        return value;
    }
}

/// <summary>
/// Users kept by uuid under one count of the access counter: when it moves, the whole set is
/// dropped and filled again as tokens come. At most <c>capacity</c> users are kept; the others are
/// read each time.
/// </summary>
internal sealed class KeptUsers(int capacity)
{
    private readonly KeptValue<ConcurrentDictionary<string, StoredUser>> _generation = new();

    public StoredUser? Find(long count, string uuid, Func<StoredUser?> read)
    {
        if (_generation.TryGet(count, out var users) && users.TryGetValue(uuid, out var kept))
            return kept;
        var user = read();
        if (user is null)
            return null;
        if (!_generation.TryGet(count, out users))
        {
            _generation.Offer(count, new ConcurrentDictionary<string, StoredUser>(StringComparer.Ordinal));
            if (!_generation.TryGet(count, out users))
                return user;
        }
        if (users.Count < capacity)
            users.TryAdd(uuid, user);
        return user;
    }
}
