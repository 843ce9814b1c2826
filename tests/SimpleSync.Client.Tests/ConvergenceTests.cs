using Microsoft.Extensions.Time.Testing;
using SimpleSync.Client.Tests.Support;

namespace SimpleSync.Client.Tests;

public sealed class ConvergenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_clients_editing_offline_and_syncing_in_random_order_end_with_the_servers_history_and_the_same_items()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SIMPLESYNC_TEST_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed} (set SIMPLESYNC_TEST_SEED to repeat)");
        var random = new Random(seed);
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        string[] users = ["alice", "bob", "carol"];
        foreach (var user in users)
            await server.CreateUserAsync(user);
        // Devices with clocks hours apart: timestamps disagree with the order the server learns of events.
        var clocks = new List<FakeTimeProvider>();
        var clients = new List<SyncClient>();
        for (var i = 0; i < 5; i++)
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55).AddMinutes(random.Next(-300, 300)));
            clocks.Add(clock);
            clients.Add(await server.NewClientAsync(users[i % users.Length], time: clock));
        }

        for (var step = 0; step < 80; step++)
        {
            var i = random.Next(clients.Count);
            if (random.NextDouble() < 0.6)
            {
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    clocks[i].Advance(TimeSpan.FromMilliseconds(random.Next(0, 5_000)));
                    clients[i].Record($"item-{random.Next(6)}", "update", $$"""{"f{{random.Next(4)}}":{{random.Next(1000)}},"by":{{i}}}""");
                }
            }
            else
            {
                await clients[i].SyncAsync(Ct);
            }
        }
        // Two rounds: the first pushes everything, the second brings everyone what others pushed after them.
        for (var round = 0; round < 2; round++)
        {
            foreach (var client in clients.OrderBy(_ => random.Next()))
                await client.SyncAsync(Ct);
        }

        var history = await server.HistoryAsync();
        Assert.NotEmpty(history);
        Assert.Equal(history.Count, history.Select(e => e.Uuid).Distinct().Count());
        var items = clients[0].Items().ToDictionary(p => p.Key, p => p.Value.ToJsonString());
        foreach (var client in clients)
        {
            Assert.Equal(0, client.Status().PendingCount);
            Assert.Equal(history, client.Events());
            Assert.Equal(items, client.Items().ToDictionary(p => p.Key, p => p.Value.ToJsonString()));
        }
        foreach (var client in clients)
            client.Dispose();
    }
}
