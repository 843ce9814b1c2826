using SimpleSync.Admin;
using SimpleSync.Health;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

internal static class ServeCommand
{
    internal const string ReadyFileOption = "--ready-file";

    public static CliCommand Command { get; } = new(
        "serve", $"[{ReadyFileOption} PATH]", "Run the server.",
        """
        Serves the HTTP API on server.listen until SIGTERM or Ctrl+C. On a store with no users it
        creates the admin account and writes its password to 'initial-admin-password' next to the
        JWT secret (data/ by default), printing only that file's path.

        --ready-file PATH  once the server listens, write PATH (owner-only, replaced atomically):
                           {"urls":[...],"pid":N,"version":"...","store":"..."}, the addresses it
                           really got (useful with port 0); removed again at a clean shutdown. Its
                           directory must exist and be writable, and an existing file there must
                           be a ready file left by an earlier run, or the server does not start.
        """,
        0, 0, [ReadyFileOption], RunAsync);

    private static async Task<int> RunAsync(CliContext cli)
    {
        var readyFile = cli.Option(ReadyFileOption) is { } path ? ReadyFile.Check(path) : null;
        var options = cli.LoadOptions();
        await using var app = ServerApp.Build(options);
        await app.StartAsync();
        var store = app.Services.GetRequiredService<IEventStore>().Location;
        // Printed whatever the log level, before the listening line, which tells whoever waits
        // for it that start-up is complete.
        if (app.Services.GetRequiredService<InitialAdmin>().CreatedPasswordFile is { } passwordFile)
            cli.Out.WriteLine($"created the admin account; its password is in {passwordFile}");
        cli.Out.WriteLine($"simple-sync {HealthEndpoints.Version} listening on {string.Join(", ", app.Urls)} (store: {store})");
        await cli.Out.FlushAsync();
        // Last, so that a program which waits for the file finds everything above already printed.
        readyFile?.Write([.. app.Urls], store);
        try
        {
            await app.WaitForShutdownAsync();
        }
        finally
        {
            readyFile?.Remove();
        }
        return CliApp.Ok;
    }
}
