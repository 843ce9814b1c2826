using System.Text;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>The pending events: recorded here, not yet settled by the server, in recording order (<c>ord</c>).</summary>
internal sealed partial class LocalStore
{
    public void AddPending(Event e)
    {
        lock (_lock)
        {
            using var command = Command("""
                INSERT INTO pending (ord, uuid, ts_key, user_uuid, item_uuid, action, payload)
                VALUES ((SELECT coalesce(max(ord), 0) + 1 FROM pending), $uuid, $ts_key, $user, $item, $action, $payload)
                """);
            Bind(command, e);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Pending events in recording order.</summary>
    public List<Event> ReadPending()
    {
        lock (_lock)
        {
            using var command = Command("SELECT uuid, ts_key, user_uuid, item_uuid, action, payload FROM pending ORDER BY ord");
            return ReadEvents(command);
        }
    }

    /// <summary>
    /// The next events to push: pending events recorded up to <paramref name="upToOrd"/> (see
    /// <see cref="LastPendingOrd"/>), in recording order, at most <paramref name="maxEvents"/>.
    /// Reading stops with the first event that takes the text of the events past
    /// <paramref name="maxBytes"/>: their JSON is at least that long, so no more of them can fit
    /// in a push of that size, and a large backlog is not read whole for every push.
    /// </summary>
    public List<Event> ReadPushCandidates(int maxEvents, int maxBytes, long upToOrd)
    {
        lock (_lock)
        {
            using var command = Command("""
                SELECT uuid, ts_key, user_uuid, item_uuid, action, payload FROM pending
                WHERE ord <= $upTo ORDER BY ord LIMIT $limit
                """);
            command.Parameters.AddWithValue("$upTo", upToOrd);
            command.Parameters.AddWithValue("$limit", maxEvents);
            var events = new List<Event>();
            long bytes = 0;
            using var reader = command.ExecuteReader();
            while (bytes <= maxBytes && reader.Read())
            {
                var e = ReadEvent(reader);
                events.Add(e);
                bytes += Encoding.UTF8.GetByteCount(e.Uuid) + Encoding.UTF8.GetByteCount(e.UserUuid)
                    + Encoding.UTF8.GetByteCount(e.ItemUuid) + Encoding.UTF8.GetByteCount(e.Action) + Encoding.UTF8.GetByteCount(e.Payload);
            }
            return events;
        }
    }

    /// <summary>The recording position of the newest pending event (0 when none): where a sync that begins now stops pushing.</summary>
    public long LastPendingOrd()
    {
        lock (_lock)
        {
            using var command = Command("SELECT coalesce(max(ord), 0) FROM pending");
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>Whether any event recorded up to <paramref name="upToOrd"/> is still pending.</summary>
    public bool HasPending(long upToOrd)
    {
        lock (_lock)
        {
            using var command = Command("SELECT EXISTS (SELECT 1 FROM pending WHERE ord <= $upTo)");
            command.Parameters.AddWithValue("$upTo", upToOrd);
            return (long)command.ExecuteScalar()! == 1;
        }
    }

    /// <summary>Removes one event from pending, as when the server refused it.</summary>
    public void DropPending(string uuid)
    {
        lock (_lock)
        {
            using var command = Command("DELETE FROM pending WHERE uuid = $uuid");
            command.Parameters.AddWithValue("$uuid", uuid);
            command.ExecuteNonQuery();
        }
    }

    public int PendingCount()
    {
        lock (_lock)
        {
            using var command = Command("SELECT count(*) FROM pending");
            return Convert.ToInt32(command.ExecuteScalar());
        }
    }
}
