using System.Globalization;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>
/// What the protocol promises about each answer, checked before anything of it is stored. JSON
/// that deserialises can still be nonsense (a cursor that goes back, <c>more</c> without
/// progress, results for other events); such an answer fails as a whole with
/// <see cref="ClientErrorCodes.BadResponse"/>, so the local copy never takes in half of it and
/// a sync never loops on it.
/// </summary>
internal static class AnswerRules
{
    // Epochs are 32 hexadecimal digits today; this bounds what a client stores and compares.
    private const int MaxEpochLength = 128;
    // A JWT is a few hundred characters; this bounds what goes into every request's header.
    private const int MaxTokenLength = 8 * 1024;

    /// <summary>An answer of <c>GET /sync</c> from <paramref name="cursor"/>.</summary>
    public static SyncResponse CheckPull(SyncResponse answer, long cursor)
    {
        CheckPage(answer, cursor);
        if (answer.Results is not null)
            throw Bad("a pull answer carries push results");
        return answer;
    }

    /// <summary>An answer of <c>POST /sync</c> for <paramref name="batch"/>: a page, and one result per pushed event, in order.</summary>
    public static SyncResponse CheckPush(SyncResponse answer, PushBatch batch)
    {
        CheckPage(answer, batch.Cursor);
        var results = answer.Results ?? throw Bad("a push answer has no results");
        if (results.Count != batch.Events.Count)
            throw Bad($"the server answered {results.Count} results for {batch.Events.Count} pushed events");
        for (var i = 0; i < results.Count; i++)
        {
            var (e, r) = (batch.Events[i], results[i]);
            if (r is null)
                throw Bad($"result {i} is null");
            if (!string.Equals(r.Uuid, e.Uuid, StringComparison.OrdinalIgnoreCase))
                throw Bad($"result {i} is for {r.Uuid ?? "null"}, not for the pushed {e.Uuid}");
            if (r.Status is not (PushStatuses.Accepted or PushStatuses.Duplicate or PushStatuses.Rejected))
                throw Bad($"result {i} has the unknown status '{r.Status}'");
            if (r.Status == PushStatuses.Rejected && string.IsNullOrEmpty(r.Reason))
                throw Bad($"result {i} is rejected without a reason");
        }
        return answer;
    }

    /// <summary>
    /// One message of the live stream after <paramref name="last"/>: its id (the new cursor) is a
    /// seq past every event it carries. Returns that id.
    /// </summary>
    public static long CheckStreamMessage(IReadOnlyList<Event>? events, string? id, long last)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            throw Bad($"a live events message has the id '{Shorten(id ?? "(none)")}', not a seq from 0 to {long.MaxValue}");
        if (events is null or { Count: 0 })
            throw Bad("a live events message carries no events");
        CheckEvents(events, last, seq);
        return seq;
    }

    /// <summary>The token of <c>POST /auth/token</c>: it goes into an Authorization header on every request.</summary>
    public static string CheckToken(string token)
    {
        // RFC 6750's b64token: a token with a space or a line break would not be one header value.
        var valid = token.Length is > 0 and <= MaxTokenLength
            && token.TrimEnd('=').All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/');
        return valid ? token : throw Bad("the token is not a bearer token (empty, too long, or with characters outside base64url)");
    }

    private static void CheckPage(SyncResponse answer, long cursor)
    {
        if (EventRules.CheckText(answer.Epoch, MaxEpochLength) is { } epochProblem)
            throw Bad($"epoch: {epochProblem}");
        if (answer.Cursor < cursor)
            throw Bad($"the cursor went back from {cursor} to {answer.Cursor}");
        CheckEvents(answer.Events, cursor, answer.Cursor);
        if (answer.More && answer.Events.Count == 0)
            throw Bad("the answer says more events wait but holds none, so asking again would not progress");
    }

    /// <summary>Valid events, and no more of them than there are seqs after <paramref name="from"/> up to <paramref name="to"/>.</summary>
    private static void CheckEvents(IReadOnlyList<Event> events, long from, long to)
    {
        if (to < from || events.Count > to - from)
            throw Bad($"{events.Count} events cannot have seqs after {from} up to {to}");
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw Bad($"event {i} is null");
            // The payload limit is the server's to enforce; any size it stored is its to send.
            if (EventRules.Validate(e, int.MaxValue) is { } problem)
                throw Bad($"event {i} is not a valid event: {problem.Detail}");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static SyncException Bad(string problem) =>
        new(ClientErrorCodes.BadResponse, $"the server's answer breaks the protocol: {problem}");
}
