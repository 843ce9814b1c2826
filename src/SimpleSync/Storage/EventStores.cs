using SimpleSync.Config;
using SimpleSync.Storage.Postgres;
using SimpleSync.Storage.Sqlite;

namespace SimpleSync.Storage;

/// <summary>The one place that knows which backends exist: opens the store <c>storage.provider</c> names.</summary>
internal static class EventStores
{
    /// <param name="committed">Told of each commit's accepted events, in seq order: the server's live feed.</param>
    /// <param name="create">
    /// False for commands that only read or change what is there: a mistyped sqlite_path must not
    /// quietly create an empty store and report an empty history (<see cref="StoreMissingException"/>).
    /// A PostgreSQL database is always created by its operator; its schema is created on first open.
    /// </param>
    /// <param name="keepReads">
    /// True for a server, which keeps the reads on every request's path in memory where its
    /// backend can tell when another process changed them (SQLite: <see cref="ChangeCounters"/>);
    /// false for a command, which reads every time and announces its changes.
    /// </param>
    public static async Task<IEventStore> OpenAsync(StorageSection storage, Action<IReadOnlyList<SequencedEvent>>? committed,
        bool create, bool keepReads, CancellationToken ct)
    {
        switch (storage.Provider)
        {
            case "sqlite":
                if (!create && !File.Exists(storage.SqlitePath))
                    throw new StoreMissingException($"{storage.SqlitePath}: there is no store yet (check storage.sqlite_path, or start the server once)");
                return SqliteEventStore.Open(storage.SqlitePath, committed, keepReads);
            case "postgres":
                return await PostgresEventStore.OpenAsync(storage.Postgres, committed, ct);
            default:
                throw new InvalidOperationException($"storage provider '{storage.Provider}' is not available");
        }
    }
}

/// <summary>The configured store does not exist and the command may not create it.</summary>
internal sealed class StoreMissingException(string message) : Exception(message);
