namespace SimpleSync.Storage;

/// <summary>
/// The server's storage: the event history, the accounts and the ACL, in one database. Two real
/// backends implement it (Sqlite/, Postgres/), and one contract test suite runs against both.
/// Implementations translate their backend's errors into <see cref="Errors.ApiException"/> (a
/// unique violation becomes <c>conflict</c>, a locked, unreachable or failing database
/// <c>unavailable</c>). Stores never decide permissions: endpoints call the ACL evaluator first.
/// </summary>
internal interface IEventStore : IHistoryStore, IAccountStore, IAclStore, ISyncHealthStore, IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres", for health and metrics.</summary>
    string Provider { get; }

    /// <summary>Where the data lives, for the start-up line and logs: a path, or host and database — never a password.</summary>
    string Location { get; }

    /// <summary>A random id made when the store was created; a restored backup has a new one.</summary>
    string Epoch { get; }

    Task<bool> IsHealthyAsync(CancellationToken ct);
}
