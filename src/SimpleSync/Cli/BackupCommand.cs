using SimpleSync.Storage.Sqlite;

namespace SimpleSync.Cli;

internal static class BackupCommand
{
    public static CliCommand Command { get; } = new(
        "backup", "DEST", "Copy the store to DEST, consistently, while the server runs.",
        """
        Writes a compact, consistent copy of the SQLite store to DEST (which must not exist). The copy
        has a fresh epoch, so clients notice when it is restored and re-sync. To restore: stop the
        server, replace storage.sqlite_path with the copy, start the server. Back up the JWT secret
        file separately (once is enough: it does not change).
        """,
        1, 1, [], RunAsync);

    private static Task<int> RunAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        if (options.Storage.Provider != "sqlite")
            throw new CommandFailedException("backup copies SQLite stores; back up PostgreSQL with pg_dump");
        var (events, epoch) = SqliteBackup.Create(options.Storage.SqlitePath, cli.Args[0]);
        cli.Out.WriteLine($"backed up {events} events to {Path.GetFullPath(cli.Args[0])} (epoch {epoch})");
        return Task.FromResult(CliApp.Ok);
    }
}
