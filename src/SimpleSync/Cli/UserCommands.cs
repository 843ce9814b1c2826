using SimpleSync.Admin;
using SimpleSync.Auth;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

/// <summary>Offline user management on the configured store; safe while the server runs.</summary>
internal static class UserCommands
{
    public static IReadOnlyList<CliCommand> Commands { get; } =
    [
        new("user add", "NAME [--uuid U]", "Create a user; the password is read from stdin.",
            """
            Creates user NAME. The password comes from the first line of standard input (or is asked
            for without echo at a terminal), never from the command line. --uuid sets the user's uuid;
            by default a new UUIDv7 is used. Prints the uuid.
            """,
            1, 1, ["--uuid"], AddAsync),
        new("user passwd", "NAME", "Set a user's password from stdin; their old tokens stop working.",
            "Reads the new password like 'user add' and gives the user a new security stamp, so every\ntoken issued before stops working.",
            1, 1, [], PasswdAsync),
        new("user list", "", "List users: uuid, username, admin, created.",
            "Prints one tab-separated line per user, sorted by username.", 0, 0, [], ListAsync),
        new("user admin", "NAME [--revoke]", "Make a user an admin, or with --revoke no longer one.",
            """
            Admin status belongs to the account: it stays through renames. Each name in auth.admins
            grants it once, to the first account with that name; this command grants or revokes it for
            anyone at any time. The last admin cannot be revoked. A running server applies the change
            to the next request.
            """,
            1, 1, [], AdminAsync)
        { Flags = ["--revoke"] },
    ];

    private static async Task<int> AddAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var name = cli.Args[0];
        var uuid = cli.Option("--uuid") ?? Guid.CreateVersion7().ToString();
        Check("NAME", UserRules.CheckUsername(name));
        Check("--uuid", UserRules.CheckUuid(uuid));
        var password = cli.Passwords.Read();
        Check("password", UserRules.CheckPassword(password));
        await using var store = await cli.OpenStoreAsync(options, create: true);
        var user = new StoredUser(uuid, name, Hash(options, password), PasswordHasher.NewStamp(), TimeProvider.System.GetUtcNow());
        await store.CreateUserAsync(user, CancellationToken.None);
        // As the server does for an account created through the API: a name of auth.admins makes it an admin.
        await store.GrantAdminsAsync(options.Auth.Admins, TimeProvider.System.GetUtcNow(), CancellationToken.None);
        cli.Out.WriteLine(uuid);
        return CliApp.Ok;
    }

    private static async Task<int> PasswdAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var password = cli.Passwords.Read();
        Check("password", UserRules.CheckPassword(password));
        await using var store = await cli.OpenStoreAsync(options, create: false);
        var user = await store.FindUserByNameAsync(cli.Args[0], CancellationToken.None)
            ?? throw new CommandFailedException($"no user named '{cli.Args[0]}'");
        await store.UpdateUserAsync(user.Uuid, null, Hash(options, password), PasswordHasher.NewStamp(),
            TimeProvider.System.GetUtcNow(), CancellationToken.None);
        cli.Out.WriteLine($"changed the password of {user.Username}");
        return CliApp.Ok;
    }

    private static async Task<int> ListAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        await using var store = await cli.OpenStoreAsync(options, create: false);
        foreach (var user in await store.ListUsersAsync(CancellationToken.None))
            cli.Out.WriteLine($"{user.Uuid}\t{user.Username}\t{(user.Admin ? "admin" : "-")}\t{user.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}");
        return CliApp.Ok;
    }

    private static async Task<int> AdminAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var revoke = cli.Flag("--revoke");
        await using var store = await cli.OpenStoreAsync(options, create: false);
        var user = await store.FindUserByNameAsync(cli.Args[0], CancellationToken.None)
            ?? throw new CommandFailedException($"no user named '{cli.Args[0]}'");
        await store.SetAdminAsync(user.Uuid, !revoke, CancellationToken.None);
        cli.Out.WriteLine(revoke ? $"{user.Username} is no longer an admin" : $"{user.Username} is an admin");
        return CliApp.Ok;
    }

    /// <summary>With the configured cost, as the server hashes; the CLI needs no hash workers or stand-in hash.</summary>
    private static string Hash(SimpleSyncOptions options, string password) => new PasswordHasher(options.Auth.PasswordIterations).Hash(password);

    private static void Check(string what, string? problem)
    {
        if (problem is not null)
            throw new CommandFailedException($"{what} {problem}");
    }
}
