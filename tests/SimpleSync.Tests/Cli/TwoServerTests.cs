using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// Two <c>simple-sync serve</c> processes on one PostgreSQL database, as behind a load balancer:
/// they share the JWT secret and the connection string file (one workspace) and the database,
/// and clients go to either.
/// </summary>
public sealed class TwoServerTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TestPostgres _database = new();
    private readonly CliWorkspace _workspace;

    public TwoServerTests() => _workspace = CliWorkspace.OnPostgres(_database);

    public void Dispose()
    {
        _workspace.Dispose();
        _database.Dispose();
    }

    /// <summary>
    /// Two servers on the empty database. Started at once, one creates the admin account, and its
    /// password is the one on file; one test does that, the others start them one after the other,
    /// which asks less of a busy machine.
    /// </summary>
    private async Task<(ServerProcess A, ServerProcess B, string Token)> StartTwoAsync(bool atOnce = false)
    {
        var servers = atOnce
            ? await Task.WhenAll(_workspace.ServeAsync(), _workspace.ServeAsync())
            : [await _workspace.ServeAsync(), await _workspace.ServeAsync()];
        var token = await servers[0].LoginAsync("admin", _workspace.AdminPassword);
        await servers[0].NewClient(token).PutAclAsync(new AclRule("*", "*", "*", true));
        return (servers[0], servers[1], token);
    }

    [Fact]
    public async Task Clients_alternating_between_the_servers_converge_and_never_miss_an_event()
    {
        var (a, b, token) = await StartTwoAsync(atOnce: true);
        await using var _ = a;
        await using var __ = b;
        var adminUuid = await b.NewClient(token).AdminUuidAsync();

        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => PushAndPullAsync(i, a, b, token, adminUuid)));
        // Once everyone has pushed, each pulls until nothing is left, still alternating servers.
        foreach (var client in clients)
            await client.CatchUpAsync();

        using var final = await a.NewClient(token).GetAsync("/events", Ct);
        var history = (await final.ReadEventsAsync()).Select(e => e.Uuid).Order().ToList();
        Assert.Equal(4 * 10 * 3, history.Count);
        Assert.All(clients, client => Assert.Equal(history, client.Known.Order()));
    }

    /// <summary>One client: pushes ten batches by POST /sync, each time on the other server, and keeps what it learns.</summary>
    private static async Task<FollowingClient> PushAndPullAsync(int index, ServerProcess a, ServerProcess b, string token, string user)
    {
        var client = new FollowingClient(a.NewClient(token), b.NewClient(token));
        for (var round = 0; round < 10; round++)
        {
            var batch = Enumerable.Range(0, 3).Select(i => TestEvents.New(user, $"item-{index}-{i}")).ToArray();
            var answer = await client.Servers[(index + round) % 2].SyncAsync(client.Cursor, batch);
            Assert.All(answer.Results!, r => Assert.Equal(PushStatuses.Accepted, r.Status));
            client.Known.UnionWith(batch.Select(e => e.Uuid));
            client.Learn(answer.Events, answer.Cursor);
        }
        return client;
    }

    /// <summary>What one client knows, learnt only by following the cursor, never by reading the whole history.</summary>
    private sealed class FollowingClient(HttpClient a, HttpClient b)
    {
        public HttpClient[] Servers { get; } = [a, b];
        public HashSet<string> Known { get; } = [];
        public long Cursor { get; private set; }

        public void Learn(IEnumerable<Event> events, long cursor)
        {
            Assert.True(cursor >= Cursor, "the cursor never goes back");
            Known.UnionWith(events.Select(e => e.Uuid));
            Cursor = cursor;
        }

        public async Task CatchUpAsync()
        {
            for (var turn = 0; turn < 2; turn++)
            {
                var (events, cursor) = await Servers[turn].PullAllAsync(Cursor, limit: 7);
                Learn(events, cursor);
            }
        }
    }

    [Fact]
    public async Task A_stream_on_one_server_gets_a_push_made_on_the_other()
    {
        var (a, b, token) = await StartTwoAsync();
        await using var _ = a;
        await using var __ = b;
        var pusher = a.NewClient(token);
        var adminUuid = await pusher.AdminUuidAsync();
        await using var stream = await SseClient.ConnectAsync(b.NewClient(token), "/sync/stream");
        await stream.NextOfTypeAsync("hello", ExecutableRunner.Timeout);

        var pushed = TestEvents.New(adminUuid);
        var cursor = await pusher.PushAcceptedAsync(pushed);

        var message = await stream.NextOfTypeAsync("events", ExecutableRunner.Timeout);
        Assert.Contains(pushed.Uuid, message.Data, StringComparison.Ordinal);
        Assert.Equal(cursor.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Id);
    }

    [Fact]
    public async Task A_device_that_syncs_on_one_server_shows_on_the_other_with_its_refused_events()
    {
        var (a, b, token) = await StartTwoAsync();
        await using var _ = a;
        await using var __ = b;
        var phone = a.NewClient(token);
        phone.DefaultRequestHeaders.Add("Sync-Device", "phone-on-a");
        var adminUuid = await phone.AdminUuidAsync();
        await phone.PushAcceptedAsync(TestEvents.New(adminUuid));
        using (var refused = await phone.PostAsync("/sync", TestEvents.Content(SyncApi.Body(0, [TestEvents.New("user-not-me")])), Ct))
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);

        // Server A writes its notes within its flush interval (a flush may fall between the two
        // requests, so the device can show first with the push alone); B reads the shared store.
        var admin = b.NewClient(token);
        var deadline = DateTime.UtcNow + ExecutableRunner.Timeout;
        string devices;
        do
        {
            devices = await admin.GetStringAsync("/admin/devices", Ct);
            Assert.True(DateTime.UtcNow < deadline, $"the device and both its pushes did not show on the other server: {devices}");
            await Task.Delay(50, Ct);
        }
        while (!devices.Contains("\"accepted\":1,\"rejected\":1", StringComparison.Ordinal));
        Assert.Contains("\"phone-on-a\"", devices, StringComparison.Ordinal);
        var rejections = await admin.GetStringAsync("/admin/rejections", Ct);
        Assert.Contains($"\"reason\":\"{RejectionReasons.UserMismatch}\"", rejections, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Killing_one_server_under_load_loses_no_acknowledged_event_and_the_other_keeps_serving()
    {
        var (a, b, token) = await StartTwoAsync();
        await using var _ = a;
        await using var __ = b;
        var adminUuid = await a.NewClient(token).AdminUuidAsync();
        var landing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pushers = Enumerable.Range(0, 4)
            .Select(i => PushUntilStoppedAsync((i % 2 == 0 ? a : b).NewClient(token), adminUuid, landing, stop.Token)).ToList();
        await landing.Task.WaitAsync(ExecutableRunner.Timeout, Ct);
        await Task.Delay(Random.Shared.Next(0, 300), Ct);

        await a.KillAsync();
        // The pushers on B go on a little after A died: B serves alone.
        var alone = TestEvents.New(adminUuid);
        var afterKill = await b.NewClient(token).PushAcceptedAsync(alone);
        await stop.CancelAsync();
        var outcomes = await Task.WhenAll(pushers);

        var answered = outcomes.SelectMany(o => o.Answered).Append(alone).ToList();
        var unanswered = outcomes.Where(o => o.InFlight is not null).Select(o => o.InFlight!).ToList();
        Assert.NotEmpty(answered);
        await CrashChecks.AssertHistoryAsync(b.NewClient(token), answered, afterKill, "after kill -9 of one server", unanswered);
    }

    private sealed record PusherOutcome(List<Event> Answered, Event[]? InFlight);

    /// <summary>Pushes batches of 5 until stopped or its server dies; the batch in flight then may or may not have landed.</summary>
    private static async Task<PusherOutcome> PushUntilStoppedAsync(HttpClient client, string user, TaskCompletionSource landing, CancellationToken stop)
    {
        var answered = new List<Event>();
        while (!stop.IsCancellationRequested)
        {
            var batch = Enumerable.Range(0, 5).Select(i => TestEvents.New(user, $"item-{i}")).ToArray();
            try
            {
                using var response = await client.PushAsync(batch);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await response.Content.LoadIntoBufferAsync(Ct);
                answered.AddRange(batch);
                landing.TrySetResult();
            }
            catch (HttpRequestException)
            {
                return new PusherOutcome(answered, batch);
            }
        }
        return new PusherOutcome(answered, null);
    }
}
