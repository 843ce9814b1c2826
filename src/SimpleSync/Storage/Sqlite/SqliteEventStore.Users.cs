using Microsoft.Data.Sqlite;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

internal sealed partial class SqliteEventStore
{
    public Task<StoredUser?> FindUserByNameAsync(string username, CancellationToken ct) =>
        Task.FromResult(FindUser("username = $key", username));

    /// <summary>On every authenticated request's path: kept in memory by a server (<see cref="ChangeCounters"/>).</summary>
    public Task<StoredUser?> FindUserByUuidAsync(string uuid, CancellationToken ct)
    {
        var count = _changes.Access;
        StoredUser? Read() => FindUser("uuid = $key", uuid);
        return Task.FromResult(_changes.KeepsReads ? _users.Find(count, uuid, Read) : Read());
    }

    public Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken ct) =>
        Task.FromResult(WithConnection<IReadOnlyList<StoredUser>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {StoreRows.UserColumns} FROM users ORDER BY username";
            return StoreRows.ReadAll(command, StoreRows.ReadUser);
        }));

    public Task<int> CountUsersAsync(CancellationToken ct) =>
        Task.FromResult(WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM users";
            return Convert.ToInt32(command.ExecuteScalar());
        }));

    public Task CreateUserAsync(StoredUser user, CancellationToken ct)
    {
        AccessWrite(() => WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "INSERT INTO users (uuid, username, password_hash, security_stamp, created_at, updated_at, admin) " +
                "VALUES ($uuid, $username, $hash, $stamp, $at, $at, $admin)";
            command.Parameters.AddWithValue("$uuid", user.Uuid);
            command.Parameters.AddWithValue("$username", user.Username);
            command.Parameters.AddWithValue("$hash", user.PasswordHash);
            command.Parameters.AddWithValue("$stamp", user.SecurityStamp);
            command.Parameters.AddWithValue("$at", user.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$admin", user.Admin);
            return ExecuteUserWrite(command, user.Uuid, user.Username);
        }, write: true));
        return Task.CompletedTask;
    }

    public Task<bool> UpdateUserAsync(string uuid, string? newUsername, string? newPasswordHash, string newStamp, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(AccessWrite(() => WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "UPDATE users SET username = coalesce($username, username), " +
                "password_hash = coalesce($hash, password_hash), security_stamp = $stamp, updated_at = $at " +
                "WHERE uuid = $uuid";
            command.Parameters.AddWithValue("$uuid", uuid);
            command.Parameters.AddWithValue("$username", (object?)newUsername ?? DBNull.Value);
            command.Parameters.AddWithValue("$hash", (object?)newPasswordHash ?? DBNull.Value);
            command.Parameters.AddWithValue("$stamp", newStamp);
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            return ExecuteUserWrite(command, uuid, newUsername) == 1;
        }, write: true)));

    /// <summary>Runs an insert or update of users, naming the taken value on a unique violation.</summary>
    private static int ExecuteUserWrite(SqliteCommand command, string uuid, string? username)
    {
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
        {
            // The uuid is the primary key (SQLITE_CONSTRAINT_PRIMARYKEY); the username is UNIQUE.
            const int PrimaryKey = 1555;
            throw new ApiException(ErrorCodes.Conflict, ex.SqliteExtendedErrorCode == PrimaryKey
                ? $"a user with uuid '{uuid}' already exists"
                : $"the username '{username}' is already taken");
        }
    }

    private StoredUser? FindUser(string where, string key) => _reads.Run($"SELECT {StoreRows.UserColumns} FROM users WHERE {where}", command =>
    {
        PreparedReads.Bind(command, "$key", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? StoreRows.ReadUser(reader) : null;
    });
}
