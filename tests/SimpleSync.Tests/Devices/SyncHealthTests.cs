using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Devices;

/// <summary>
/// The sync health record through the real server: what each device's requests leave in
/// <c>GET /admin/devices</c> and <c>GET /admin/rejections</c>, their bounds, and <c>/admin/overview</c>.
/// </summary>
public sealed class SyncHealthTests
{
    private static readonly DateTimeOffset Start = new(2030, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private const string Dotnet = "simplesync-dotnet/0.1.0 todo/1.2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client of <paramref name="user"/> that names <paramref name="device"/> (and its software) on every request.</summary>
    private static HttpClient OnDevice(LiveServer server, HttpClient user, string device, string? client = Dotnet)
    {
        var http = server.NewClient(user.DefaultRequestHeaders.Authorization!.Parameter);
        http.DefaultRequestHeaders.Add("Sync-Device", device);
        if (client is not null)
            http.DefaultRequestHeaders.Add("Sync-Client", client);
        return http;
    }

    private static async Task<T> GetAsync<T>(HttpClient admin, string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var response = await admin.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize(body, type)!;
    }

    private static Task<DeviceList> DevicesAsync(HttpClient admin, string query = "") =>
        GetAsync(admin, $"/admin/devices{query}", ProtocolJsonContext.Default.DeviceList);

    private static Task<List<RejectionInfo>> RejectionsAsync(HttpClient admin, string query = "") =>
        GetAsync(admin, $"/admin/rejections{query}", ProtocolJsonContext.Default.ListRejectionInfo);

    [Fact]
    public async Task A_device_that_stops_syncing_falls_behind_by_what_others_push_and_catches_up_when_it_syncs()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        await server.AllowAllAsync();
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        var (bobUuid, bob) = await server.NewUserAsync("bob");
        var phone = OnDevice(server, alice, "phone-1");
        var laptop = OnDevice(server, bob, "laptop-1", client: null);

        await phone.SyncAsync(0, TestEvents.New(aliceUuid));
        time.Advance(TimeSpan.FromMinutes(1));
        var bobs = Enumerable.Range(0, 3).Select(_ => TestEvents.New(bobUuid)).ToArray();
        var answer = await laptop.SyncAsync(0, bobs);

        var behind = await DevicesAsync(admin);
        Assert.Equal(4, behind.Head);
        Assert.Equal(
            [
                new DeviceInfo(bobUuid, "laptop-1", null, Start.AddMinutes(1), Start.AddMinutes(1), 4, 0, 3, 0),
                new DeviceInfo(aliceUuid, "phone-1", Dotnet, Start, Start, 1, 3, 1, 0),
            ],
            behind.Devices);

        time.Advance(TimeSpan.FromMinutes(1));
        await phone.PullAsync(1);
        var caughtUp = Assert.Single((await DevicesAsync(admin, $"?user={aliceUuid}")).Devices);
        Assert.Equal(new DeviceInfo(aliceUuid, "phone-1", Dotnet, Start, Start.AddMinutes(2), 4, 0, 1, 0), caughtUp);
        Assert.Equal(answer.Cursor, caughtUp.Cursor);
    }

    [Fact]
    public async Task Every_way_to_sync_moves_the_device_cursor_the_seed_endpoints_and_a_live_stream_included()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        var seed = OnDevice(server, alice, "seed-app");
        var live = OnDevice(server, alice, "live-app");

        using (var pushed = await seed.PushAsync(TestEvents.New(aliceUuid), TestEvents.New(aliceUuid)))
            Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        await using var stream = await SseClient.ConnectAsync(live, "/sync/stream?cursor=0");
        await alice.SyncAsync(0, TestEvents.New(aliceUuid));
        // hello, the backlog of two, then the live push: the record follows what the stream sent.
        var seen = 0;
        while (seen < 3)
        {
            var message = await stream.NextAsync(Conditions.Patience);
            seen += message is { Event: "events" } ? message.Events().Count : 0;
        }
        // The stream notes what it sent just after sending it: the client may read it first.
        Dictionary<string, DeviceInfo> devices = [];
        await Conditions.WaitUntilAsync(() =>
        {
            devices = DevicesAsync(admin).GetAwaiter().GetResult().Devices.ToDictionary(d => d.Device);
            return devices.TryGetValue("live-app", out var live) && live.Cursor == 3;
        }, "the stream's device record reaching seq 3");
        Assert.Equal((3, 0L, 0L), (devices["live-app"].Cursor, devices["live-app"].Lag, devices["live-app"].Accepted));
        Assert.Equal((2, 1L, 2L), (devices["seed-app"].Cursor, devices["seed-app"].Lag, devices["seed-app"].Accepted));
        Assert.Equal(2, devices.Count);

        using (var history = await seed.GetAsync("/events", Ct))
            Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Equal(0, (await DevicesAsync(admin)).Devices.Single(d => d.Device == "seed-app").Lag);
    }

    [Fact]
    public async Task A_refused_event_is_logged_with_its_reason_device_and_the_rule_that_denied_it()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        await server.SetAclAsync(new AclRule("*", "task-*", "*", true), new AclRule("*", "secret-*", "*", false));
        var version = (await admin.GetAclHistoryAsync())[^1].Version;
        var phone = OnDevice(server, alice, "phone-1");

        var allowed = TestEvents.New(aliceUuid, item: "task-1");
        var denied = TestEvents.New(aliceUuid, item: "secret-1", action: "read");
        var unmatched = TestEvents.New(aliceUuid, item: "note-1");
        var notHers = TestEvents.New("user-someone-else", item: "task-2");
        var answer = await phone.SyncAsync(0, allowed, denied, unmatched, notHers);
        Assert.Equal(["accepted", "rejected", "rejected", "rejected"], answer.Results!.Select(r => r.Status));

        var log = await RejectionsAsync(admin);
        Assert.Equal(
            [
                new RejectionInfo(Start, aliceUuid, "phone-1", notHers.Uuid, "task-2", "create", RejectionReasons.UserMismatch,
                    answer.Results![3].Detail!, null, null),
                new RejectionInfo(Start, aliceUuid, "phone-1", unmatched.Uuid, "note-1", "create", RejectionReasons.AclDenied,
                    answer.Results[2].Detail!, null, version),
                new RejectionInfo(Start, aliceUuid, "phone-1", denied.Uuid, "secret-1", "read", RejectionReasons.AclDenied,
                    answer.Results[1].Detail!, 1, version),
            ],
            log);
        Assert.Equal((1L, 3L), (await DevicesAsync(admin)).Devices.Select(d => (d.Accepted, d.Rejected)).Single());

        // An event that is not valid has no item or action to show; a push without a device is still logged.
        using var invalid = await alice.PostAsync("/sync", TestEvents.Content("""{"cursor":0,"events":[{"uuid":"not-valid"}]}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        var latest = (await RejectionsAsync(admin, "?limit=1")).Single();
        Assert.Equal((aliceUuid, null, "not-valid", null, null, RejectionReasons.InvalidField, null),
            (latest.UserUuid, latest.Device, latest.EventUuid, latest.ItemUuid, latest.Action, latest.Reason, latest.Rule));
        Assert.Equal(3, (await RejectionsAsync(admin, $"?user={aliceUuid}&device=phone-1")).Count);
        Assert.Empty(await RejectionsAsync(admin, "?user=user-nobody"));
    }

    [Fact]
    public async Task A_request_without_a_well_formed_device_id_syncs_as_usual_and_records_no_device()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        string[] malformed = ["", new string('a', 65), "has space", "semi;colon", "dot.ted"];
        foreach (var device in malformed)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/sync") { Content = TestEvents.Content(SyncApi.Body(0, [TestEvents.New(aliceUuid)])) };
            request.Headers.TryAddWithoutValidation("Sync-Device", device);
            request.Headers.TryAddWithoutValidation("Sync-Client", "simplesync-js/0.1.0");
            using var response = await alice.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var twice = new HttpRequestMessage(HttpMethod.Get, "/sync?cursor=0"))
        {
            twice.Headers.Add("Sync-Device", ["one", "two"]);
            using var response = await alice.SendAsync(twice, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await alice.PullAsync(0);

        Assert.Empty((await DevicesAsync(admin)).Devices);
        var overview = await GetAsync(admin, "/admin/overview", ProtocolJsonContext.Default.ServerOverview);
        Assert.Equal(new DeviceSummary(0, 0, 0), overview.Devices);

        // A client string outside its rules is dropped, and the device still recorded.
        var phone = OnDevice(server, alice, "phone-1", client: null);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/sync?cursor=0"))
        {
            request.Headers.TryAddWithoutValidation("Sync-Client", new string('x', 201));
            using var response = await phone.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Null(Assert.Single((await DevicesAsync(admin)).Devices).Client);
    }

    [Fact]
    public async Task A_user_who_invents_device_ids_keeps_only_their_latest_fifty()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        var (_, bob) = await server.NewUserAsync("bob");
        await OnDevice(server, bob, "bobs-phone").PullAsync(0);

        for (var i = 0; i < 60; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/sync?cursor=0");
            request.Headers.Add("Sync-Device", $"invented-{i:D2}");
            using var response = await alice.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (i == 29)
                await DevicesAsync(admin);
        }

        var devices = await DevicesAsync(admin, $"?user={aliceUuid}");
        // Fifty at most wait in memory per user between writes, and the store keeps the fifty most recent.
        Assert.Equal(SyncHealthLimits.Default.DevicesPerUser, devices.Devices.Count);
        Assert.Equal(Enumerable.Range(10, 50).Reverse().Select(i => $"invented-{i:D2}"), devices.Devices.Select(d => d.Device));
        Assert.Single((await DevicesAsync(admin)).Devices, d => d.Device == "bobs-phone");
        Assert.Contains("\nsimplesync_device_notes_dropped 0\n", await admin.GetStringAsync("/metrics", Ct));

        // Within one write interval, a fifty-first new device of one user is not noted at all.
        for (var i = 0; i < 51; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/sync?cursor=0");
            request.Headers.Add("Sync-Device", $"burst-{i:D2}");
            using var response = await alice.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Contains("\nsimplesync_device_notes_dropped 1\n", await admin.GetStringAsync("/metrics", Ct));
        Assert.DoesNotContain((await DevicesAsync(admin, $"?user={aliceUuid}")).Devices, d => d.Device == "burst-50");
    }

    [Fact]
    public async Task A_user_who_pushes_many_refused_events_keeps_only_their_latest_hundred_in_the_log()
    {
        await using var server = await LiveServer.StartAsync();
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        var (bobUuid, bob) = await server.NewUserAsync("bob");
        await bob.SyncAsync(0, TestEvents.New(bobUuid));

        var events = Enumerable.Range(0, 150).Select(i => TestEvents.New(aliceUuid, item: $"item-{i:D3}")).ToArray();
        await alice.SyncAsync(0, events[..40]);
        await RejectionsAsync(admin);
        await alice.SyncAsync(0, events[40..]);

        var log = await RejectionsAsync(admin, $"?user={aliceUuid}&limit=1000");
        Assert.Equal(events[50..].Reverse().Select(e => e.Uuid), log.Select(r => r.EventUuid));
        Assert.Single(await RejectionsAsync(admin, $"?user={bobUuid}"));
        var overview = await GetAsync(admin, "/admin/overview", ProtocolJsonContext.Default.ServerOverview);
        Assert.Equal(151, overview.RejectionsByReason[RejectionReasons.AclDenied]);
    }

    [Fact]
    public async Task The_overview_and_metrics_sum_up_the_server_and_its_devices()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        await server.AllowAllAsync();
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        await OnDevice(server, alice, "old-phone").SyncAsync(0, TestEvents.New(aliceUuid));
        time.Advance(TimeSpan.FromHours(25));
        var phone = OnDevice(server, alice, "phone-1");
        await phone.SyncAsync(0, TestEvents.New(aliceUuid), TestEvents.New("user-other"));
        await using var stream = await SseClient.ConnectAsync(phone, "/sync/stream?cursor=2");
        Assert.Equal("hello", (await stream.NextAsync(Conditions.Patience))!.Event);

        var overview = await GetAsync(admin, "/admin/overview", ProtocolJsonContext.Default.ServerOverview);
        Assert.Equal("sqlite", overview.Storage);
        Assert.Equal(2, overview.Head);
        Assert.Equal(1, overview.StreamsOpen);
        Assert.Equal(Start, overview.StartedAt);
        Assert.Equal(new DeviceSummary(Known: 2, Active: 1, Behind: 1), overview.Devices);
        Assert.Equal(new Dictionary<string, long> { [RejectionReasons.UserMismatch] = 1 }, overview.RejectionsByReason);
        using (var health = await server.Anonymous.GetAsync("/health", Ct))
            Assert.Contains($"\"version\":\"{overview.Version}\"", await health.Content.ReadAsStringAsync(Ct));

        var metrics = await (await admin.GetAsync("/metrics", Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("\nsimplesync_devices_known 2\n", metrics);
        Assert.Contains("\nsimplesync_devices_active 1\n", metrics);
        Assert.Contains("\nsimplesync_devices_behind 1\n", metrics);
    }

    [Fact]
    public async Task Records_reach_the_store_every_flush_interval_and_at_shutdown_without_an_admin_asking()
    {
        var time = new FakeTimeProvider(Start);
        var dir = new TempDir();
        var server = await LiveServer.StartAsync(time: time, dir: dir);
        try
        {
            var (aliceUuid, alice) = await server.NewUserAsync("alice");
            var store = server.App.Services.GetRequiredService<IEventStore>();
            await OnDevice(server, alice, "phone-1").PullAsync(0);
            Assert.Empty(await store.ListDevicesAsync(null, Ct));

            time.Advance(SimpleSync.Devices.SyncHealth.FlushInterval);
            await Conditions.WaitUntilAsync(() => store.ListDevicesAsync(null, Ct).Result.Count == 1, "the flush of the device record");

            await OnDevice(server, alice, "laptop-1").PullAsync(0);
            await server.App.StopAsync(Ct);
            await using var reopened = SimpleSync.Storage.Sqlite.SqliteEventStore.Open(server.Options.Storage.SqlitePath);
            Assert.Equal(["laptop-1", "phone-1"], (await reopened.ListDevicesAsync(aliceUuid, Ct)).Select(d => d.Device).Order());
        }
        finally
        {
            await server.DisposeAsync();
            dir.Dispose();
        }
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "/admin/rejections?limit=0", "limit" },
        { "/admin/rejections?limit=1001", "limit" },
        { "/admin/rejections?user=a&user=b", "user" },
        { "/admin/rejections?device=", "device" },
        { "/admin/devices?user=", "user" },
        { "/admin/devices?user=%01", "user" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_value_is_400_naming_it(string path, string name)
    {
        await using var server = await LiveServer.StartAsync();
        var admin = await server.AdminAsync();

        using var response = await admin.GetAsync(path, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.Contains(name, problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
