using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>SIGKILL while several clients push at once: answered pushes survive, the rest land whole or not at all.</summary>
public sealed class KillDuringPushTests
{
    [Fact]
    public async Task Concurrent_pushes_survive_a_kill_9_at_a_random_moment_whole_or_not_at_all()
    {
        using var workspace = new CliWorkspace();
        var answered = new List<Event>();
        var unanswered = new List<Event[]>();
        long highestCursor = 0;
        var (token, adminUuid) = await CrashChecks.PrepareAsync(workspace);
        for (var round = 0; round < 3; round++)
        {
            await using var server = await workspace.ServeAsync();
            var admin = server.NewClient(token);
            await CrashChecks.AssertHistoryAsync(admin, answered, highestCursor, $"round {round}", unanswered);

            var landing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pushers = Enumerable.Range(0, 4).Select(_ => PushUntilKilledAsync(admin, adminUuid, landing)).ToList();
            // Killed at a random moment once pushes are landing, however long that takes here.
            await Task.WhenAny(landing.Task, Task.WhenAll(pushers)).WaitAsync(ExecutableRunner.Timeout, TestContext.Current.CancellationToken);
            Assert.True(landing.Task.IsCompleted, $"round {round}: the pushers stopped before a push was answered");
            await Task.Delay(Random.Shared.Next(0, 300), TestContext.Current.CancellationToken);
            await server.KillAsync();
            foreach (var outcome in await Task.WhenAll(pushers))
            {
                answered.AddRange(outcome.Answered.SelectMany(a => a.Batch));
                highestCursor = Math.Max(highestCursor, outcome.Answered.Select(a => a.Cursor).DefaultIfEmpty(0).Max());
                if (outcome.InFlight is { } batch)
                    unanswered.Add(batch);
            }
        }
        await using var last = await workspace.ServeAsync();
        await CrashChecks.AssertHistoryAsync(last.NewClient(token), answered, highestCursor, "after the last kill", unanswered);
    }

    private sealed record PusherOutcome(List<(Event[] Batch, long Cursor)> Answered, Event[]? InFlight);

    /// <summary>
    /// Pushes batches of 10 until the server dies; the batch it was waiting for may or may not have
    /// landed. <paramref name="landing"/> is set at the first answered push.
    /// </summary>
    private static async Task<PusherOutcome> PushUntilKilledAsync(HttpClient client, string user, TaskCompletionSource landing)
    {
        var answered = new List<(Event[], long)>();
        while (true)
        {
            var batch = Enumerable.Range(0, 10).Select(i => TestEvents.New(user, $"item-{i}")).ToArray();
            try
            {
                using var response = await client.PushAsync(batch);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
                answered.Add((batch, long.Parse(response.Headers.GetValues("Sync-Cursor").Single())));
                landing.TrySetResult();
            }
            catch (HttpRequestException)
            {
                return new PusherOutcome(answered, batch);
            }
        }
    }
}
