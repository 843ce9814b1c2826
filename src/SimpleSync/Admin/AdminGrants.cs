using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Admin;

/// <summary>
/// Applies <c>auth.admins</c>: each name listed there makes the first account that holds it an
/// admin, once — at server start for an existing account, or when an account with that name is
/// created (API or CLI) or renamed to it. Admin status then belongs to the account: a rename
/// keeps it, and the name does not grant it again to a later account
/// (<see cref="IAccountStore.GrantAdminsAsync"/>). Admins grant and revoke it for anyone else.
/// </summary>
internal sealed class AdminGrants(IEventStore store, SimpleSyncOptions options, TimeProvider time, ILogger<AdminGrants> logger)
{
    public async Task ApplyAsync(CancellationToken ct)
    {
        foreach (var username in await store.GrantAdminsAsync(options.Auth.Admins, time.GetUtcNow(), ct))
            logger.LogInformation("Made {Username} an admin, as auth.admins lists the name", username);
    }
}
