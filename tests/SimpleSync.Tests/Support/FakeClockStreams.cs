using Microsoft.Extensions.Time.Testing;

namespace SimpleSync.Tests.Support;

/// <summary>
/// Reading a live stream from a server that runs on a <see cref="FakeTimeProvider"/>: its
/// heartbeat and lifetime timers fire only when the test moves the clock, so a test about them
/// takes no real time and no real-time bound.
/// </summary>
internal static class FakeClockStreams
{
    /// <summary>How long the clock stands still between steps while the server answers the last one.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The next message or comment (null when the stream closed), moving the clock by
    /// <paramref name="step"/> until it arrives. A timer the server creates after an Advance does
    /// not fire until the next one, so the clock keeps moving a step at a time rather than once;
    /// <paramref name="patience"/> is real time and only guards against a hang. With
    /// <paramref name="until"/> the clock stops there and the message is then waited for: a
    /// server slowed by a busy machine gets the real time it needs, not more clock, so a test
    /// bounding how much clock a message needs cannot fail for the machine's sake.
    /// </summary>
    public static async Task<SseMessage?> NextAdvancingAsync(this SseClient stream, FakeTimeProvider time, TimeSpan step, TimeSpan patience,
        DateTimeOffset? until = null)
    {
        var next = stream.NextAsync(patience);
        while (!next.IsCompleted)
        {
            var room = until is { } last ? last - time.GetUtcNow() : step;
            if (room <= TimeSpan.Zero)
                break;
            time.Advance(room < step ? room : step);
            await Task.WhenAny(next, Task.Delay(Settle, TestContext.Current.CancellationToken));
        }
        return await next;
    }
}
