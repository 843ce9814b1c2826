using System.Diagnostics;
using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Tests.Cli;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

public sealed class ShutdownTests
{
    [Fact]
    public async Task SIGTERM_during_pushes_exits_0_promptly_and_every_answered_push_survives_a_restart()
    {
        using var workspace = new CliWorkspace();
        var answered = new List<Event>();
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
                    }
                    catch (HttpRequestException)
                    {
                        break;
                    }
                }
                return mine;
            }, TestContext.Current.CancellationToken)).ToList();

            await Task.Delay(1000, TestContext.Current.CancellationToken);
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, await server.StopAsync());
            clock.Stop();
            foreach (var pusher in pushers)
                answered.AddRange(await pusher);

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"shutdown took {clock.Elapsed}");
            var end = await stream.NextOfTypeAsync("end", TimeSpan.FromSeconds(10));
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
