namespace SimpleSync.Client.Tests.Support;

internal static class Waiting
{
    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checking it whenever the client raises
    /// <see cref="SyncClient.Changed"/>. Fails after <paramref name="timeout"/>, which guards
    /// against a hang: give it generously, never as a claim about speed.
    /// </summary>
    public static async Task UntilAsync(this SyncClient client, Func<SyncClient, bool> condition, TimeSpan timeout, string what)
    {
        var met = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(object? sender, EventArgs e)
        {
            if (condition(client))
                met.TrySetResult();
        }
        client.Changed += Check;
        try
        {
            Check(null, EventArgs.Empty);
            var finished = await Task.WhenAny(met.Task, Task.Delay(timeout, TestContext.Current.CancellationToken));
            Assert.True(finished == met.Task, $"not within {timeout.TotalSeconds} s: {what}");
        }
        finally
        {
            client.Changed -= Check;
        }
    }
}
