using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Client;

/// <summary>
/// The authoritative copy: read in history order straight from its index, and changed only by
/// answers of the server and by an epoch reset. The meta value <c>rewrites</c> counts the changes
/// that were not appends in history order (an event stored before the newest one held, or the
/// copy dropped), so that a reader who folded the copy up to some event knows whether reading on
/// from it is enough.
/// </summary>
internal sealed partial class LocalStore
{
    private const string EventColumns = "uuid, ts_key, user_uuid, item_uuid, action, payload";

    /// <summary>What <see cref="ReadHistory"/> read, all from one snapshot of the store.</summary>
    /// <param name="Rewrites">The store's rewrite count for this snapshot.</param>
    /// <param name="Whole">True when <paramref name="Authoritative"/> is the whole copy, not the events after a position.</param>
    /// <param name="Authoritative">Authoritative events in history order.</param>
    /// <param name="Pending">Every pending event, in recording order.</param>
    public sealed record History(long Rewrites, bool Whole, List<Event> Authoritative, List<Event> Pending);

    /// <summary>
    /// Reads the authoritative events after <paramref name="after"/> in history order, and the
    /// pending events. All authoritative events are read instead (<see cref="History.Whole"/>) when
    /// <paramref name="after"/> is null or the copy was rewritten since <paramref name="rewrites"/>.
    /// </summary>
    public History ReadHistory(Event? after, long rewrites)
    {
        lock (_lock)
        {
            // Deferred: a read transaction, so every select sees the same commit even when another
            // process writes the file meanwhile.
            using var tx = _connection.BeginTransaction(deferred: true);
            var current = ReadRewrites();
            var whole = after is null || current != rewrites;
            using var read = Command(whole
                ? $"SELECT {EventColumns} FROM authoritative ORDER BY ts_key, uuid"
                : $"SELECT {EventColumns} FROM authoritative WHERE (ts_key, uuid) > ($ts_key, $uuid) ORDER BY ts_key, uuid");
            if (!whole)
            {
                read.Parameters.AddWithValue("$ts_key", TimestampKey.ToKey(after!.Timestamp));
                read.Parameters.AddWithValue("$uuid", after.Uuid);
            }
            var authoritative = ReadEvents(read);
            using var pending = Command($"SELECT {EventColumns} FROM pending ORDER BY ord");
            var history = new History(current, whole, authoritative, ReadEvents(pending));
            tx.Commit();
            return history;
        }
    }

    /// <summary>
    /// Applies one answer (a sync page, or live messages covering seqs after <paramref name="from"/>
    /// up to <paramref name="to"/>) in one transaction: the events join the authoritative copy (and
    /// leave pending if they were there), the events named in <paramref name="settled"/> leave
    /// pending, and the cursor moves to <paramref name="to"/> when that leaves no gap. Returns the
    /// events that are new to this device: stored now and not pending before.
    /// </summary>
    public List<Event> Apply(IReadOnlyList<Event> events, IEnumerable<string> settled, long from, long to, string? epoch,
        DateTimeOffset? syncedAt)
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            var added = new List<Event>();
            var newest = ReadNewest();
            var rewritten = false;
            using (var insert = Command($"INSERT OR IGNORE INTO authoritative ({EventColumns}) VALUES ($uuid, $ts_key, $user, $item, $action, $payload)"))
            using (var unpend = Command("DELETE FROM pending WHERE uuid = $uuid"))
            {
                var uuid = unpend.Parameters.Add("$uuid", SqliteType.Text);
                foreach (var e in events)
                {
                    insert.Parameters.Clear();
                    Bind(insert, e);
                    var stored = insert.ExecuteNonQuery() == 1;
                    uuid.Value = e.Uuid;
                    var wasPending = unpend.ExecuteNonQuery() == 1;
                    if (stored && !wasPending)
                        added.Add(e);
                    // Readers are at most at the newest event held before this answer: anything
                    // stored after it extends what they read, anything before it is a rewrite.
                    rewritten |= stored && newest is { } n && Event.HistoryOrder.Compare(e, n) < 0;
                }
                foreach (var settledUuid in settled)
                {
                    uuid.Value = settledUuid;
                    unpend.ExecuteNonQuery();
                }
            }
            if (rewritten)
                CountRewrite();
            var meta = ReadCursorAndEpoch();
            // The copy holds every seq up to its cursor. A page that starts at or below it extends
            // that without a gap; one that starts above it (a stream that raced ahead) does not.
            if (from <= meta.Cursor && to > meta.Cursor)
                SetMeta("cursor", to.ToString());
            if (epoch is not null)
                SetMeta("epoch", epoch);
            if (syncedAt is { } at)
                SetMeta("last_sync", at.ToUnixTimeMilliseconds().ToString());
            tx.Commit();
            return added;
        }
    }

    /// <summary>
    /// The server's store is another one now: this user's events of the authoritative copy go back
    /// to pending, before the events already pending (the server keeps those it still has as
    /// duplicates and stores those it lost); the rest of the copy is dropped and the position
    /// forgotten. Returns how many events went back to pending.
    /// </summary>
    public int ResetForNewEpoch(string userUuid)
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            using var own = Command($"SELECT {EventColumns} FROM authoritative WHERE user_uuid = $user ORDER BY ts_key, uuid");
            own.Parameters.AddWithValue("$user", userUuid);
            var mine = ReadEvents(own);
            using var first = Command("SELECT coalesce(min(ord), 1) FROM pending");
            var ord = (long)first.ExecuteScalar()! - mine.Count;
            foreach (var e in mine)
            {
                using var insert = Command($"INSERT OR IGNORE INTO pending (ord, {EventColumns}) VALUES ($ord, $uuid, $ts_key, $user, $item, $action, $payload)");
                Bind(insert, e);
                insert.Parameters.AddWithValue("$ord", ord++);
                insert.ExecuteNonQuery();
            }
            using (var drop = Command("DELETE FROM authoritative; DELETE FROM meta WHERE key IN ('cursor', 'epoch');"))
                drop.ExecuteNonQuery();
            CountRewrite();
            tx.Commit();
            return mine.Count;
        }
    }

    /// <summary>The last event of the authoritative copy in history order, or null when it is empty.</summary>
    private Event? ReadNewest()
    {
        using var command = Command($"SELECT {EventColumns} FROM authoritative ORDER BY ts_key DESC, uuid DESC LIMIT 1");
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadEvent(reader) : null;
    }

    private long ReadRewrites()
    {
        using var command = Command("SELECT value FROM meta WHERE key = 'rewrites'");
        return command.ExecuteScalar() is string value ? long.Parse(value) : 0;
    }

    private void CountRewrite() => SetMeta("rewrites", (ReadRewrites() + 1).ToString());
}
