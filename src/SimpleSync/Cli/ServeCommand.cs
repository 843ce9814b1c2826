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

    private static async Task<int> RunAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        await using var app = ServerApp.Build(options);
        await app.StartAsync();
        // Printed whatever the log level, before the listening line, which tells whoever waits
        // for it that start-up is complete.
        if (app.Services.GetRequiredService<InitialAdmin>().CreatedPasswordFile is { } passwordFile)
            cli.Out.WriteLine($"created the admin account; its password is in {passwordFile}");
        cli.Out.WriteLine($"simple-sync {HealthEndpoints.Version} listening on {string.Join(", ", app.Urls)} (store: {app.Services.GetRequiredService<SimpleSync.Storage.IEventStore>().Location})");
        await cli.Out.FlushAsync();
        await app.WaitForShutdownAsync();
        return CliApp.Ok;
    }
}
