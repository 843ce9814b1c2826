using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Tests.Cli;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

public sealed class ShutdownTests
{
    /// <summary>Answered pushes before SIGTERM: enough that every pusher is in full swing.</summary>
    private const int AnsweredBeforeStop = 20;

    [Fact]
    public async Task SIGTERM_during_pushes_exits_0_ends_streams_with_a_reason_and_every_answered_push_survives_a_restart()
    {
        using var workspace = new CliWorkspace();
        var answered = new List<Event>();
        var answeredCount = 0;
        var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var server = await workspace.ServeAsync())
        {
            var admin = await server.AdminAsync(workspace);
            await admin.PutAclAsync(new AclRule("*", "*", "*", true));
            await admin.CreateUserAsync("u-pusher", "pusher", "pusher-password");
            var client = server.NewClient(await server.LoginAsync("pusher", "pusher-password"));
            await using var stream = await SseClient.ConnectAsync(client, "/sync/stream");

            var pushers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var mine = new List<Event>();
                for (var i = 0; i < 10_000; i++)
                {
                    var batch = Enumerable.Range(0, 5).Select(_ => TestEvents.New("u-pusher")).ToArray();
                    try
                    {
                        using var response = await client.PostAsync("/sync", TestEvents.Content(SyncApi.Body(long.MaxValue, batch)),
                            TestContext.Current.CancellationToken);
                        if (response.StatusCode != HttpStatusCode.OK)
                            break;
                        mine.AddRange(batch);
                        if (Interlocked.Increment(ref answeredCount) == AnsweredBeforeStop)
                            underWay.TrySetResult();
                    }
                    catch (HttpRequestException)
                    {
                        break;
                    }
                }
                return mine;
            }, TestContext.Current.CancellationToken)).ToList();

            // SIGTERM once pushes are landing, whenever that is on this machine; a pusher that gave
            // up early ends the wait too, and the count below says why.
            await Task.WhenAny(underWay.Task, Task.WhenAll(pushers)).WaitAsync(ExecutableRunner.Timeout, TestContext.Current.CancellationToken);
            Assert.True(underWay.Task.IsCompleted, $"only {answeredCount} pushes were answered before the pushers stopped");
            // StopAsync fails the test if the server has not exited within ExecutableRunner.Timeout.
            // A stream left open would hold shutdown up until the server's own 10 s timeout and be
            // cut off then without an end message, so the message below shows that it did not.
            Assert.Equal(0, await server.StopAsync());
            foreach (var pusher in pushers)
                answered.AddRange(await pusher);

            var end = await stream.NextOfTypeAsync("end", ExecutableRunner.Timeout);
            Assert.Contains("server_stopping", end.Data, StringComparison.Ordinal);
        }
        Assert.NotEmpty(answered);

        await using var restarted = await workspace.ServeAsync();
        var reader = restarted.NewClient(await restarted.LoginAsync("pusher", "pusher-password"));
        var (stored, _) = await reader.PullAllAsync(0, limit: 10_000);
        var storedUuids = stored.Select(e => e.Uuid).ToHashSet();
        Assert.All(answered, e => Assert.Contains(e.Uuid, storedUuids));
        Assert.Equal(stored.Count, storedUuids.Count);
    }
}
