namespace SimpleSync.Protocol;

/// <summary>
/// One entry of the append-only history. The six fields are the whole event: the server's
/// sequence number is not part of it, so the same event has the same content everywhere.
/// </summary>
/// <param name="Uuid">Identifies the event forever (canonical UUID text).</param>
/// <param name="Timestamp">Milliseconds since the Unix epoch by convention; never reinterpreted by the server.</param>
/// <param name="UserUuid">The user who recorded the event; must be the user who pushes it.</param>
/// <param name="ItemUuid">The item the event is about (any string of 1–256 characters).</param>
/// <param name="Action">What happened to the item (1–128 characters).</param>
/// <param name="Payload">Free-form data, usually JSON text.</param>
public sealed record Event(
    string Uuid,
    ulong Timestamp,
    string UserUuid,
    string ItemUuid,
    string Action,
    string Payload)
{
    /// <summary>The order of the authoritative history: timestamp, then uuid as ordinal text.</summary>
    public static IComparer<Event> HistoryOrder { get; } = Comparer<Event>.Create(static (a, b) =>
    {
        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Uuid, b.Uuid);
    });
}
