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
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(file)!);
        // The password is on disk before the account exists, under a staged name, and takes the
        // file's name only once the account is created. Several servers starting at once on one
        // database all try: the one whose account lands publishes its password, the others find
        // the name taken and leave the file alone (they may share the directory). A crash between
        // the two steps leaves the password in the staged file (.initial-admin-password.*.tmp).
        using var staged = PrivateFiles.Stage(file);
        staged.Stream.Write(System.Text.Encoding.UTF8.GetBytes(password + "\n"));
        staged.Stream.Flush();
        var user = new StoredUser(Guid.CreateVersion7().ToString(), username, hasher.Hash(password), PasswordHasher.NewStamp(), time.GetUtcNow());
        try
        {
            await store.CreateUserAsync(user, ct);
        }
        catch (Errors.ApiException ex) when (ex.Code == Protocol.ErrorCodes.Conflict)
        {
            logger.LogInformation("Another server created the admin account first: its password is in the {FileName} file of that server", FileName);
            return;
        }
        staged.Publish(overwrite: true);
        CreatedPasswordFile = file;
        logger.LogInformation("Created the admin account '{Username}'. Its password is in {File}", username, file);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
