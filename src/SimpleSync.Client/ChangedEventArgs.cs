using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>What one raise of <see cref="SyncClient.Changed"/> added to the local view.</summary>
public sealed class ChangedEventArgs : EventArgs
{
    internal static readonly ChangedEventArgs Nothing = new([]);

    internal ChangedEventArgs(IReadOnlyList<Event> added) => Added = added;

    /// <summary>
    /// The events this change added to <see cref="SyncClient.Events"/>, in the order they were
    /// applied: the event just recorded, or those a sync page or live messages brought that this
    /// device did not hold (its own pending events that the server settled are not repeated).
    /// Empty when nothing was added, as when only <see cref="SyncClient.Status"/> changed.
    /// </summary>
    public IReadOnlyList<Event> Added { get; }
}
