using System.Data.Common;
using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// The sync health tables' SQL, the same for both stores: plain SQL that SQLite and PostgreSQL
/// read alike, with positional parameters ($1, $2, …, which SQLite takes as names). A parameter that may be
/// null is cast where it is first used, so PostgreSQL knows its type.
/// </summary>
internal static class SyncHealthRows
{
    public const string DeviceColumns = "user_uuid, device, client, first_seen, last_sync, sent_seq, accepted, rejected";

    public const string RejectionColumns = "at, user_uuid, device, event_uuid, item_uuid, action, reason, detail, rule, acl_version";

    /// <summary>
    /// The statements of one <see cref="ISyncHealthStore.RecordSyncHealthAsync"/>, in order: the
    /// merges and inserts, then the trims of what they may have pushed past the limits.
    /// </summary>
    public static IEnumerable<(string Sql, object?[] Args)> Record(IReadOnlyList<DeviceRecord> devices, IReadOnlyList<RejectionInfo> rejections,
        SyncHealthLimits limits)
    {
        // Rows in one order on every server, so two servers writing at once cannot deadlock on them.
        foreach (var d in devices.OrderBy(d => d.UserUuid, StringComparer.Ordinal).ThenBy(d => d.Device, StringComparer.Ordinal))
        {
            yield return ($"""
                INSERT INTO devices ({DeviceColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (user_uuid, device) DO UPDATE SET
                    client = COALESCE(excluded.client, devices.client),
                    first_seen = CASE WHEN excluded.first_seen < devices.first_seen THEN excluded.first_seen ELSE devices.first_seen END,
                    last_sync = CASE WHEN excluded.last_sync > devices.last_sync THEN excluded.last_sync ELSE devices.last_sync END,
                    sent_seq = CASE WHEN excluded.sent_seq < 0 THEN devices.sent_seq ELSE excluded.sent_seq END,
                    accepted = devices.accepted + excluded.accepted,
                    rejected = devices.rejected + excluded.rejected
                """,
                [d.UserUuid, d.Device, d.Client, d.FirstSeen.ToUnixTimeMilliseconds(), d.LastSync.ToUnixTimeMilliseconds(), d.Cursor, d.Accepted, d.Rejected]);
        }
        foreach (var r in rejections)
        {
            yield return ($"INSERT INTO rejections ({RejectionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                [r.At.ToUnixTimeMilliseconds(), r.UserUuid, r.Device, r.EventUuid, r.ItemUuid, r.Action, r.Reason, r.Detail, r.Rule, r.AclVersion]);
        }
        // A user's devices past the limit, least recently synced first; ties broken by id so the count is exact.
        foreach (var user in devices.Select(d => d.UserUuid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            yield return ("""
                DELETE FROM devices WHERE user_uuid = $1 AND device NOT IN
                    (SELECT device FROM devices WHERE user_uuid = $1 ORDER BY last_sync DESC, device LIMIT $2)
                """, [user, limits.DevicesPerUser]);
        }
        foreach (var user in rejections.Select(r => r.UserUuid).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            yield return ("""
                DELETE FROM rejections WHERE user_uuid = $1 AND id <
                    (SELECT id FROM rejections WHERE user_uuid = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)
                """, [user, limits.RejectionsPerUser - 1]);
        }
        if (devices.Count > 0)
        {
            // Counted first, so that the common case (far below the limit) costs one index count.
            yield return ("""
                DELETE FROM devices WHERE (SELECT count(*) FROM devices) > $1 AND last_sync <
                    (SELECT last_sync FROM devices ORDER BY last_sync DESC LIMIT 1 OFFSET $2)
                """, [(long)limits.Devices, limits.Devices - 1]);
        }
        if (rejections.Count > 0)
        {
            yield return ("DELETE FROM rejections WHERE id < (SELECT id FROM rejections ORDER BY id DESC LIMIT 1 OFFSET $1)",
                [limits.Rejections - 1]);
        }
    }

    /// <summary>The devices, of one user or of all (<c>$1</c> null), the most recently synced first.</summary>
    public const string ListDevices =
        $"SELECT {DeviceColumns} FROM devices WHERE CAST($1 AS TEXT) IS NULL OR user_uuid = $1 ORDER BY last_sync DESC, user_uuid, device";

    /// <summary><c>$1</c>: active since (ms); <c>$2</c>: the head.</summary>
    public const string SummarizeDevices = """
        SELECT count(*),
               coalesce(sum(CASE WHEN last_sync >= $1 THEN 1 ELSE 0 END), 0),
               coalesce(sum(CASE WHEN sent_seq < $2 THEN 1 ELSE 0 END), 0)
        FROM devices
        """;

    /// <summary><c>$1</c>: user or null; <c>$2</c>: device or null; <c>$3</c>: how many.</summary>
    public const string ListRejections =
        $"SELECT {RejectionColumns} FROM rejections WHERE (CAST($1 AS TEXT) IS NULL OR user_uuid = $1) AND (CAST($2 AS TEXT) IS NULL OR device = $2) ORDER BY id DESC LIMIT $3";

    public static DeviceRecord ReadDevice(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.GetInt64(5),
        reader.GetInt64(6),
        reader.GetInt64(7));

    public static DeviceSummary ReadSummary(DbDataReader reader) =>
        new(Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2)));

    public static RejectionInfo ReadRejection(DbDataReader reader) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
        reader.GetString(1),
        Text(reader, 2),
        Text(reader, 3),
        Text(reader, 4),
        Text(reader, 5),
        reader.GetString(6),
        reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetInt32(8),
        reader.IsDBNull(9) ? null : reader.GetInt64(9));

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
