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
    /// <paramref name="patience"/> is real time and only guards against a hang.
    /// </summary>
    public static async Task<SseMessage?> NextAdvancingAsync(this SseClient stream, FakeTimeProvider time, TimeSpan step, TimeSpan patience)
    {
        var next = stream.NextAsync(patience);
        while (!next.IsCompleted)
        {
            time.Advance(step);
            await Task.WhenAny(next, Task.Delay(Settle, TestContext.Current.CancellationToken));
        }
        return await next;
    }
}
