using SimpleSync.Admin;
using SimpleSync.Health;

namespace SimpleSync.Cli;

internal static class ServeCommand
{
    public static CliCommand Command { get; } = new(
        "serve", "", "Run the server.",
        """
        Serves the HTTP API on server.listen until SIGTERM or Ctrl+C. On a store with no users it
        creates the admin account and writes its password to 'initial-admin-password' next to the
        JWT secret (data/ by default), printing only that file's path.
        """,
        0, 0, [], RunAsync);

    private static DateTime? WrittenAt(string file) => File.Exists(file) ? File.GetLastWriteTimeUtc(file) : null;

    private static async Task<int> RunAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var passwordFile = InitialAdmin.PasswordFile(options);
        var passwordWritten = WrittenAt(passwordFile);
        await using var app = ServerApp.Build(options);
        await app.StartAsync();
        // The first start's admin password file is announced in a warning; when the log level
        // hides warnings, the operator must still learn where it is. Before the listening line,
        // which tells whoever waits for it that start-up is complete.
        if (options.Server.LogLevel > LogLevel.Warning && WrittenAt(passwordFile) is { } written && written != passwordWritten)
            cli.Out.WriteLine($"created the admin account; its password is in {passwordFile}");
        cli.Out.WriteLine($"simple-sync {HealthEndpoints.Version} listening on {string.Join(", ", app.Urls)} (store: {options.Storage.SqlitePath})");
        await cli.Out.FlushAsync();
        await app.WaitForShutdownAsync();
        return CliApp.Ok;
    }
}
