namespace SimpleSync.Storage;

/// <summary>Users, and which of them are admins.</summary>
internal interface IAccountStore
{
    Task<StoredUser?> FindUserByNameAsync(string username, CancellationToken ct);
    Task<StoredUser?> FindUserByUuidAsync(string uuid, CancellationToken ct);
    Task<IReadOnlyList<StoredUser>> ListUsersAsync(CancellationToken ct);
    Task<int> CountUsersAsync(CancellationToken ct);

    /// <summary>Throws <c>conflict</c> when the uuid or the username is taken.</summary>
    Task CreateUserAsync(StoredUser user, CancellationToken ct);

    /// <summary>Changes what is not null and sets the new stamp. False when no such user; <c>conflict</c> when the username is taken.</summary>
    Task<bool> UpdateUserAsync(string uuid, string? newUsername, string? newPasswordHash, string newStamp, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Grants or revokes admin status. False when no such user; <c>conflict</c> when revoking it
    /// would leave no admin at all (checked in the same transaction as the change).
    /// </summary>
    Task<bool> SetAdminAsync(string uuid, bool admin, CancellationToken ct);

    /// <summary>
    /// Applies the names of <c>auth.admins</c>: each name makes the first account that holds it an
    /// admin, once, and is recorded as used. A used name grants nothing again, so a new account
    /// under the name of a renamed admin is not one. Returns the usernames made admin now.
    /// </summary>
    Task<IReadOnlyList<string>> GrantAdminsAsync(IReadOnlyList<string> names, DateTimeOffset at, CancellationToken ct);

    /// <summary>Every name of <c>auth.admins</c> used so far, with the account it made admin.</summary>
    Task<IReadOnlyList<AdminGrant>> ListAdminGrantsAsync(CancellationToken ct);

    /// <summary>Records a used name as it stands in another store (copying a deployment); a name already recorded is left as it is.</summary>
    Task RecordAdminGrantAsync(AdminGrant grant, CancellationToken ct);
}

/// <param name="Admin">Whether the account may manage users and the ACL; it stays with the account through renames.</param>
internal sealed record StoredUser(
    string Uuid,
    string Username,
    string PasswordHash,
    string SecurityStamp,
    DateTimeOffset CreatedAt,
    bool Admin = false);

/// <summary>A name of <c>auth.admins</c> that has made an account admin, and when.</summary>
internal sealed record AdminGrant(string Name, string UserUuid, DateTimeOffset GrantedAt);
