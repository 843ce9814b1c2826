using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// An event's uuid identifies it whatever its letter case: clients such as Swift's
/// <c>UUID().uuidString</c> write upper case, others lower, and the same uuid in two spellings
/// must be one event (a duplicate, or a conflict), never two. Stores keep the spelling first
/// pushed and compare with these.
/// </summary>
internal static class EventIdentity
{
    public static StringComparer Uuids => StringComparer.OrdinalIgnoreCase;

    /// <summary>True when <paramref name="pushed"/> is a retry of <paramref name="stored"/>: the same uuid in any case, the same content.</summary>
    public static bool SameContent(Event stored, Event pushed) =>
        string.Equals(stored.Uuid, pushed.Uuid, StringComparison.OrdinalIgnoreCase)
        && stored.Timestamp == pushed.Timestamp
        && stored.UserUuid == pushed.UserUuid
        && stored.ItemUuid == pushed.ItemUuid
        && stored.Action == pushed.Action
        && stored.Payload == pushed.Payload;
}
