using Npgsql;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

internal sealed partial class PostgresEventStore
{
    public Task<StoredUser?> FindUserByNameAsync(string username, CancellationToken ct) =>
        FindUserAsync("lower(username) = lower($1)", username, ct);

    public Task<StoredUser?> FindUserByUuidAsync(string uuid, CancellationToken ct) =>
        FindUserAsync("uuid = $1", uuid, ct);

    public Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken ct) => Read<IReadOnlyList<StoredUser>>(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection, $"SELECT {StoreRows.UserColumns} FROM users ORDER BY lower(username) COLLATE \"C\"");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadUser, ct);
    }, ct);

    public Task<int> CountUsersAsync(CancellationToken ct) => Read(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection, "SELECT count(*) FROM users");
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }, ct);

    public Task CreateUserAsync(StoredUser user, CancellationToken ct) => Run(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection,
            "INSERT INTO users (uuid, username, password_hash, security_stamp, created_at, updated_at, admin) VALUES ($1, $2, $3, $4, $5, $5, $6)",
            user.Uuid, user.Username, user.PasswordHash, user.SecurityStamp, user.CreatedAt.ToUnixTimeMilliseconds(), user.Admin);
        return await ExecuteUserWriteAsync(command, user.Uuid, user.Username, ct);
    }, ct);

    public Task<bool> UpdateUserAsync(string uuid, string? newUsername, string? newPasswordHash, string newStamp, DateTimeOffset at,
        CancellationToken ct) => Run(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection,
            "UPDATE users SET username = coalesce($2, username), password_hash = coalesce($3, password_hash), " +
            "security_stamp = $4, updated_at = $5 WHERE uuid = $1",
            uuid, newUsername, newPasswordHash, newStamp, at.ToUnixTimeMilliseconds());
        // Untyped nulls: tell PostgreSQL they are text.
        command.Parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        return await ExecuteUserWriteAsync(command, uuid, newUsername, ct) == 1;
    }, ct);

    /// <summary>Runs an insert or update of users, naming the taken value on a unique violation (by the index that refused it).</summary>
    private static async Task<int> ExecuteUserWriteAsync(NpgsqlCommand command, string uuid, string? username, CancellationToken ct)
    {
        try
        {
            return await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ApiException(ErrorCodes.Conflict, ex.ConstraintName == "users_username"
                ? $"the username '{username}' is already taken"
                : $"a user with uuid '{uuid}' already exists");
        }
    }

    private Task<StoredUser?> FindUserAsync(string where, string key, CancellationToken ct) => Read(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection, $"SELECT {StoreRows.UserColumns} FROM users WHERE {where}", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? StoreRows.ReadUser(reader) : null;
    }, ct);
}
