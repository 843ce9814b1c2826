using SimpleSync.Config;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

/// <summary>Moves a deployment from one store to another: a SQLite file into the configured store (PostgreSQL, typically).</summary>
internal static class MigrateCommand
{
    private const int Batch = 10_000;

    public static CliCommand Command { get; } = new(
        "migrate", "SQLITE_FILE", "Copy a SQLite store (users, ACL, history) into the configured store.",
        """
        Copies everything of the SQLite store SQLITE_FILE into the store the configuration names
        (storage.provider = "postgres", say): the users with their password hashes and admin status,
        the names of auth.admins already used, every ACL version, and the history in seq order. The
        target must be empty: create the database, run migrate, then start the servers. Logins stay
        valid if the servers keep the same JWT secret file. The target has its own epoch, so clients
        notice the move and sync again from the start; nothing they hold is lost. Stop the server that
        uses SQLITE_FILE first, so that nothing is pushed to it during the copy.
        """,
        1, 1, [], RunAsync);

    private static async Task<int> RunAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var sourceStorage = new StorageSection { Provider = "sqlite", SqlitePath = Path.GetFullPath(cli.Args[0]) };
        if (options.Storage.Provider == "sqlite" && options.Storage.SqlitePath == sourceStorage.SqlitePath)
            throw new UsageException("migrate: SQLITE_FILE is the configured store itself; configure the target store (storage.provider)");
        await using var source = await cli.OpenStoreAsync(options with { Storage = sourceStorage }, create: false);
        await using var target = await cli.OpenStoreAsync(options, create: true);
        await EnsureEmptyAsync(target);

        var ct = CancellationToken.None;
        var users = await source.ListUsersAsync(ct);
        foreach (var user in users)
            await target.CreateUserAsync(user, ct);
        foreach (var grant in await source.ListAdminGrantsAsync(ct))
            await target.RecordAdminGrantAsync(grant, ct);
        var acl = await source.GetAclHistoryAsync(ct);
        foreach (var version in acl)
            await target.ReplaceAclAsync(version.Rules, version.ChangedBy!, version.ChangedAt!.Value, ct);
        var events = await CopyHistoryAsync(source, target);

        cli.Out.WriteLine($"copied {users.Count} users, {acl.Count} ACL versions and {events} events into {target.Location} (epoch {target.Epoch})");
        return CliApp.Ok;
    }

    /// <summary>Refuses a target that holds anything: a copy merged into a live store would mix two histories' cursors.</summary>
    private static async Task EnsureEmptyAsync(IEventStore target)
    {
        var ct = CancellationToken.None;
        await using var snapshot = await target.OpenSnapshotAsync(ct);
        if (snapshot.HighestSeq > 0 || await target.CountUsersAsync(ct) > 0 || await target.GetAclVersionAsync(ct) > 0)
        {
            throw new CommandFailedException(
                $"{target.Location} is not empty (it has users, an ACL or events): migrate only into a new, empty store, before its first start");
        }
    }

    /// <summary>The history in seq order, in batches; returns how many events were copied.</summary>
    private static async Task<long> CopyHistoryAsync(IEventStore source, IEventStore target)
    {
        var ct = CancellationToken.None;
        await using var snapshot = await source.OpenSnapshotAsync(ct);
        long copied = 0;
        var batch = new List<Event>(Batch);
        await foreach (var (_, e) in snapshot.ReadSince(0, int.MaxValue, ct))
        {
            batch.Add(e);
            if (batch.Count == Batch)
                copied += await AppendAsync(target, batch);
        }
        return copied + await AppendAsync(target, batch);
    }

    private static async Task<long> AppendAsync(IEventStore target, List<Event> batch)
    {
        var outcomes = await target.AppendAsync(batch, CancellationToken.None);
        batch.Clear();
        // A SQLite store written before uuids were compared in any case may hold one uuid in two
        // spellings: the second is the same event (a duplicate) and is not copied twice.
        return outcomes.Count(o => o.Status == AppendStatus.Accepted);
    }
}
