using System.Text.Json;
using SimpleSync.Config;
using SimpleSync.Errors;
using SimpleSync.Http;
using SimpleSync.Protocol;

namespace SimpleSync.Push;

/// <summary>
/// Reads a push body from the request as it arrives and parses it element by element, so what a
/// push costs is bounded by what it may hold rather than by what a client sends: reading stops
/// at event <c>limits.max_events_per_push</c> + 1 (a 16 KB gzip bomb of <c>[1,1,1,…]</c> is
/// refused after a few kilobytes), at <c>limits.max_body_bytes</c>, and at an element larger than
/// any valid event can be. Only the element being read is buffered.
/// </summary>
internal static class PushBody
{
    private const int FirstBuffer = 64 * 1024;

    public static async Task<(long? Cursor, List<ParsedEvent> Events)> ReadAsync(HttpRequest request, PushBodyShape shape,
        LimitsSection limits, CancellationToken ct)
    {
        RequestBody.PrepareLimit(request, limits.MaxBodyBytes);
        var elementLimit = MaxElementBytes(limits);
        var parser = new PushBodyParser(shape, limits.MaxPayloadBytes, limits.MaxEventsPerPush, elementLimit);
        using var buffer = new PooledBytes(FirstBuffer);
        var start = 0;
        long total = 0;
        // After a pass that found only an unfinished element, wait for a full buffer before looking
        // again: re-scanning a large element on every small read would cost its size squared.
        var waitForFull = false;
        try
        {
            while (true)
            {
                if (buffer.Free.Length == 0)
                    start = MakeRoom(buffer, start, elementLimit);
                var read = await request.Body.ReadAsync(buffer.Free, ct);
                buffer.Length += read;
                total += read;
                if (total > limits.MaxBodyBytes)
                    throw RequestBody.TooLarge(limits.MaxBodyBytes);
                var end = read == 0;
                if (waitForFull && !end && buffer.Free.Length > 0)
                    continue;
                var consumed = parser.Feed(buffer.Span[start..], isFinalBlock: end);
                start += consumed;
                if (parser.TooManyEvents)
                {
                    throw new ApiException(ErrorCodes.TooLarge,
                        $"the body holds more than the limit of {limits.MaxEventsPerPush} events a push (limits.max_events_per_push)");
                }
                if (parser.ElementTooLarge)
                    throw ElementTooLarge(elementLimit);
                if (end)
                    return (parser.Cursor, parser.Events);
                waitForFull = consumed == 0;
            }
        }
        catch (JsonException ex)
        {
            var what = shape == PushBodyShape.EventArray ? "the body is not valid" : "the body is not a valid sync request";
            throw ApiException.Invalid($"{what}: {RequestBody.Describe(ex)}");
        }
    }

    /// <summary>
    /// The largest an element of a valid event can be: a payload at its limit with every byte
    /// escaped (<c>\u0000</c>, six bytes each), plus room for the other fields. Anything larger
    /// could only be refused, so it is not buffered to find out.
    /// </summary>
    public static long MaxElementBytes(LimitsSection limits) => (6L * limits.MaxPayloadBytes) + (64 * 1024);

    /// <summary>Moves the unread bytes to the front, or doubles the buffer when one element fills it.</summary>
    private static int MakeRoom(PooledBytes buffer, int start, long elementLimit)
    {
        if (start > 0)
        {
            buffer.Discard(start);
            return 0;
        }
        if (buffer.Length > elementLimit)
            throw ElementTooLarge(elementLimit);
        buffer.Grow();
        return 0;
    }

    private static ApiException ElementTooLarge(long limit) =>
        new(ErrorCodes.TooLarge, $"an event takes more than {limit} bytes of JSON, more than any valid event can (limits.max_payload_bytes)");
}
