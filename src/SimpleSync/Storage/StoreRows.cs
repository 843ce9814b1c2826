using System.Data.Common;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// The rows both stores keep, in the same columns under the same names: how to select them and
/// how to read one back, through the common ADO.NET reader, so the two backends cannot drift.
/// </summary>
internal static class StoreRows
{
    /// <summary>The event columns, always selected in this order.</summary>
    public const string EventColumns = "uuid, ts_key, user_uuid, item_uuid, action, payload";

    /// <summary>The user columns, always selected in this order.</summary>
    public const string UserColumns = "uuid, username, password_hash, security_stamp, created_at, admin";

    /// <summary>The ACL change columns, always selected in this order.</summary>
    public const string AclColumns = "version, changed_at, changed_by, rules";

    /// <summary>The admin grant columns, always selected in this order.</summary>
    public const string GrantColumns = "name, user_uuid, granted_at";

    /// <summary>An event whose <see cref="EventColumns"/> start at <paramref name="offset"/>.</summary>
    public static Event ReadEvent(DbDataReader reader, int offset) => new(
        reader.GetString(offset),
        TimestampKey.FromKey(reader.GetInt64(offset + 1)),
        reader.GetString(offset + 2),
        reader.GetString(offset + 3),
        reader.GetString(offset + 4),
        reader.GetString(offset + 5));

    public static StoredUser ReadUser(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.GetBoolean(5));

    public static AclVersion ReadAclVersion(DbDataReader reader) => new(
        reader.GetInt64(0),
        JsonSerializer.Deserialize(reader.GetString(3), ProtocolJsonContext.Default.AclDocument)!.Rules,
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        reader.GetString(2));

    public static AdminGrant ReadGrant(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));

    /// <summary>Every row <paramref name="command"/> selects, each read by <paramref name="read"/>.</summary>
    public static List<T> ReadAll<T>(DbCommand command, Func<DbDataReader, T> read)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
            rows.Add(read(reader));
        return rows;
    }

    /// <inheritdoc cref="ReadAll"/>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
            rows.Add(read(reader));
        return rows;
    }

    /// <summary>The rules as the <c>rules</c> column keeps them: the ACL document's JSON.</summary>
    public static string RulesJson(IReadOnlyList<AclRule> rules) =>
        JsonSerializer.Serialize(new AclDocument(rules), ProtocolJsonContext.Default.AclDocument);
}
