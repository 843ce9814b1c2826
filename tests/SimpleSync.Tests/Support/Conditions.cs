using System.Diagnostics;

namespace SimpleSync.Tests.Support;

/// <summary>Waiting for something the server does on its own threads to become true.</summary>
internal static class Conditions
{
    /// <summary>Real time that only guards against a hang; no test asserts speed with it.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, $"{what} did not happen in time");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
