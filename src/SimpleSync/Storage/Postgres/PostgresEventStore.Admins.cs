using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

internal sealed partial class PostgresEventStore
{
    // Admin changes of every server take this lock, so "the last admin" is counted by one at a time.
    private const string LockAdmins = "LOCK TABLE admin_grants IN SHARE ROW EXCLUSIVE MODE";

    public Task<bool> SetAdminAsync(string uuid, bool admin, CancellationToken ct) => _database.InTransactionAsync(async connection =>
    {
        await using (var lockAdmins = PostgresDatabase.Command(connection, LockAdmins))
            await lockAdmins.ExecuteNonQueryAsync(ct);
        await using (var update = PostgresDatabase.Command(connection, "UPDATE users SET admin = $2 WHERE uuid = $1", uuid, admin))
        {
            if (await update.ExecuteNonQueryAsync(ct) == 0)
                return false;
        }
        await using var count = PostgresDatabase.Command(connection, "SELECT count(*) FROM users WHERE admin");
        if (!admin && (long)(await count.ExecuteScalarAsync(ct))! == 0)
            throw new ApiException(ErrorCodes.Conflict, "this is the last admin: make another user an admin first");
        return true;
    }, ct);

    public Task<IReadOnlyList<string>> GrantAdminsAsync(IReadOnlyList<string> names, DateTimeOffset at, CancellationToken ct) =>
        _database.InTransactionAsync<IReadOnlyList<string>>(async connection =>
        {
            await using (var lockAdmins = PostgresDatabase.Command(connection, LockAdmins))
                await lockAdmins.ExecuteNonQueryAsync(ct);
            var recorded = (await ReadGrantsAsync(connection, ct)).Select(g => g.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var granted = new List<string>();
            foreach (var fresh in names.Distinct(StringComparer.OrdinalIgnoreCase).Where(n => !recorded.Contains(n)))
            {
                await using var grant = PostgresDatabase.Command(connection,
                    "UPDATE users SET admin = true WHERE lower(username) = lower($1) RETURNING uuid, username", fresh);
                string uuid, username;
                await using (var reader = await grant.ExecuteReaderAsync(ct))
                {
                    if (!await reader.ReadAsync(ct))
                        continue;
                    (uuid, username) = (reader.GetString(0), reader.GetString(1));
                }
                await using var record = PostgresDatabase.Command(connection,
                    "INSERT INTO admin_grants (name, user_uuid, granted_at) VALUES ($1, $2, $3)", fresh, uuid, at.ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(ct);
                granted.Add(username);
            }
            return granted;
        }, ct);

    public Task<IReadOnlyList<AdminGrant>> ListAdminGrantsAsync(CancellationToken ct) =>
        Read<IReadOnlyList<AdminGrant>>(async connection => await ReadGrantsAsync(connection, ct), ct);

    public Task RecordAdminGrantAsync(AdminGrant grant, CancellationToken ct) => Run(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection,
            "INSERT INTO admin_grants (name, user_uuid, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            grant.Name, grant.UserUuid, grant.GrantedAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(ct);
    }, ct);

    private static async Task<List<AdminGrant>> ReadGrantsAsync(Npgsql.NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = PostgresDatabase.Command(connection, $"SELECT {StoreRows.GrantColumns} FROM admin_grants ORDER BY granted_at, name");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadGrant, ct);
    }
}
