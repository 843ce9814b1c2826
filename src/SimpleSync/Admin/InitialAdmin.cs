using System.Security.Cryptography;
using SimpleSync.Auth;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Admin;

/// <summary>
/// At start-up: on a store with no users, creates the admin account and writes its random
/// password to a file only the owner can read (the password itself never reaches the log or the
/// terminal; only the file's path does); then applies <c>auth.admins</c> to the accounts.
/// </summary>
internal sealed class InitialAdmin(IEventStore store, SimpleSyncOptions options, PasswordHasher hasher, AdminGrants grants,
    TimeProvider time, ILogger<InitialAdmin> logger) : IHostedService
{
    public const string FileName = "initial-admin-password";

    /// <summary>Set when this start created the admin account: the file holding its password.</summary>
    public string? CreatedPasswordFile { get; private set; }

    public static string PasswordFile(SimpleSyncOptions options) =>
        Path.Combine(Path.GetDirectoryName(options.Auth.JwtSecretFile)!, FileName);

    public async Task StartAsync(CancellationToken ct)
    {
        if (await store.CountUsersAsync(ct) == 0)
            await CreateFirstAdminAsync(ct);
        await grants.ApplyAsync(ct);
    }

    private async Task CreateFirstAdminAsync(CancellationToken ct)
    {
        var admins = options.Auth.Admins;
        if (admins.Count == 0)
        {
            logger.LogWarning("The store has no users and auth.admins is empty: no admin account was created");
            return;
        }
        var username = options.Auth.IsAdmin("admin") ? "admin" : admins[0];
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        var file = PasswordFile(options);
        // The file first: if the process dies between the two steps, the next start tries again
        // and overwrites it, rather than leaving an account whose password nobody has.
        PrivateFiles.Write(file, password + "\n");
        var user = new StoredUser(Guid.CreateVersion7().ToString(), username, hasher.Hash(password), PasswordHasher.NewStamp(), time.GetUtcNow());
        await store.CreateUserAsync(user, ct);
        CreatedPasswordFile = file;
        logger.LogInformation("Created the admin account '{Username}'. Its password is in {File}", username, file);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
