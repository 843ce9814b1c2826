namespace SimpleSync.Protocol;

/// <summary>Why one event was refused: a stable <see cref="RejectionReasons"/> code and a sentence for people.</summary>
/// <param name="Reason">One of <see cref="RejectionReasons"/>.</param>
/// <param name="Detail">What was wrong, naming the field.</param>
public sealed record EventRejection(string Reason, string Detail);

/// <summary>
/// One element of a pushed array: either a valid <see cref="Event"/> or the reason it is not one.
/// </summary>
/// <param name="Event">The event, when every field is valid.</param>
/// <param name="Uuid">The uuid as sent, when there was a string uuid, so a rejection can name it.</param>
/// <param name="Rejection">Why the element is not a valid event.</param>
public readonly record struct ParsedEvent(Event? Event, string? Uuid, EventRejection? Rejection);
