using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Tests.Storage;

public abstract partial class EventStoreContract
{
    private static readonly SyncHealthLimits Roomy = new(DevicesPerUser: 50, Devices: 1_000, RejectionsPerUser: 100, Rejections: 1_000);

    private static DeviceRecord Device(string user, string device, int minute, long cursor = 10, long accepted = 0, long rejected = 0,
        string? client = "simplesync-dotnet/0.1.0") =>
        new(user, device, client, T0.AddMinutes(minute), T0.AddMinutes(minute), cursor, accepted, rejected);

    private static RejectionInfo Rejection(string user, string uuid, int second, string? device = "phone", int? rule = null) =>
        new(T0.AddSeconds(second), user, device, uuid, "task-1", "create", RejectionReasons.AclDenied, "the ACL does not allow it", rule, rule is null ? null : 3);

    [Fact]
    public async Task A_device_record_merges_counts_keeps_its_first_sighting_and_takes_the_latest_cursor_and_client()
    {
        await using var store = OpenStore();
        await store.RecordSyncHealthAsync([Device("user-a", "phone", 0, cursor: 10, accepted: 2, rejected: 1)], [], Roomy, Ct);
        await store.RecordSyncHealthAsync([Device("user-a", "phone", 5, cursor: 7, accepted: 3, client: "simplesync-js/0.2.0 todo/1.0")], [], Roomy, Ct);
        // No answer sent (-1) and no client named: the recorded ones stay.
        await store.RecordSyncHealthAsync([Device("user-a", "phone", 6, cursor: -1, rejected: 4, client: null)], [], Roomy, Ct);

        var device = Assert.Single(await store.ListDevicesAsync(null, Ct));
        Assert.Equal(new DeviceRecord("user-a", "phone", "simplesync-js/0.2.0 todo/1.0", T0, T0.AddMinutes(6), 7, 5, 5), device);
    }

    [Fact]
    public async Task Devices_are_listed_most_recently_synced_first_and_by_user()
    {
        await using var store = OpenStore();
        await store.RecordSyncHealthAsync(
            [Device("user-a", "phone", 1), Device("user-b", "laptop", 3), Device("user-a", "tablet", 2), Device("user-a", "Phone", 0)], [], Roomy, Ct);

        Assert.Equal(["user-b/laptop", "user-a/tablet", "user-a/phone", "user-a/Phone"],
            (await store.ListDevicesAsync(null, Ct)).Select(d => $"{d.UserUuid}/{d.Device}"));
        Assert.Equal(["tablet", "phone", "Phone"], (await store.ListDevicesAsync("user-a", Ct)).Select(d => d.Device));
        Assert.Empty(await store.ListDevicesAsync("user-nobody", Ct));
    }

    [Fact]
    public async Task A_user_keeps_at_most_their_limit_of_devices_the_least_recently_synced_dropped_first()
    {
        await using var store = OpenStore();
        var limits = Roomy with { DevicesPerUser = 3 };
        await store.RecordSyncHealthAsync([.. Enumerable.Range(0, 5).Select(i => Device("user-a", $"d{i}", i)), Device("user-b", "x", 0)], [], limits, Ct);
        await store.RecordSyncHealthAsync([Device("user-a", "d0", 10)], [], limits, Ct);

        Assert.Equal(["d0", "d4", "d3"], (await store.ListDevicesAsync("user-a", Ct)).Select(d => d.Device));
        Assert.Single(await store.ListDevicesAsync("user-b", Ct));
    }

    [Fact]
    public async Task The_store_keeps_at_most_its_limit_of_devices_in_all()
    {
        await using var store = OpenStore();
        var limits = Roomy with { Devices = 4 };
        await store.RecordSyncHealthAsync([.. Enumerable.Range(0, 6).Select(i => Device($"user-{i}", "phone", i))], [], limits, Ct);

        Assert.Equal(["user-5", "user-4", "user-3", "user-2"], (await store.ListDevicesAsync(null, Ct)).Select(d => d.UserUuid));
    }

    [Fact]
    public async Task Rejections_are_listed_newest_first_filtered_by_user_and_device_and_cut_to_the_limit()
    {
        await using var store = OpenStore();
        await store.RecordSyncHealthAsync([],
            [Rejection("user-a", "e1", 1, rule: 2), Rejection("user-a", "e2", 2, device: "laptop"), Rejection("user-b", "e3", 3, device: null)],
            Roomy, Ct);
        await store.RecordSyncHealthAsync([], [Rejection("user-a", "e4", 4, rule: 0)], Roomy, Ct);

        Assert.Equal(["e4", "e3", "e2", "e1"], (await store.ListRejectionsAsync(null, null, 10, Ct)).Select(r => r.EventUuid));
        Assert.Equal(["e4", "e2"], (await store.ListRejectionsAsync("user-a", null, 2, Ct)).Select(r => r.EventUuid));
        Assert.Equal(["e4", "e1"], (await store.ListRejectionsAsync("user-a", "phone", 10, Ct)).Select(r => r.EventUuid));
        Assert.Equal(Rejection("user-a", "e1", 1, rule: 2), (await store.ListRejectionsAsync("user-a", "phone", 10, Ct))[1]);
        Assert.Equal(Rejection("user-b", "e3", 3, device: null), Assert.Single(await store.ListRejectionsAsync("user-b", null, 10, Ct)));
    }

    [Fact]
    public async Task Rejections_are_kept_to_their_limits_per_user_and_in_all_the_oldest_dropped_first()
    {
        await using var store = OpenStore();
        var limits = Roomy with { RejectionsPerUser = 3, Rejections = 5 };
        await store.RecordSyncHealthAsync([], [.. Enumerable.Range(0, 6).Select(i => Rejection("user-a", $"a{i}", i))], limits, Ct);
        Assert.Equal(["a5", "a4", "a3"], (await store.ListRejectionsAsync(null, null, 100, Ct)).Select(r => r.EventUuid));

        await store.RecordSyncHealthAsync([],
            [Rejection("user-b", "b0", 10), Rejection("user-c", "c0", 11), Rejection("user-c", "c1", 12)], limits, Ct);
        Assert.Equal(["c1", "c0", "b0", "a5", "a4"], (await store.ListRejectionsAsync(null, null, 100, Ct)).Select(r => r.EventUuid));
    }

    [Fact]
    public async Task The_device_summary_counts_all_active_and_behind_devices()
    {
        await using var store = OpenStore();
        Assert.Equal(new DeviceSummary(0, 0, 0), await store.SummarizeDevicesAsync(100, T0, Ct));
        await store.RecordSyncHealthAsync(
            [Device("user-a", "phone", 0, cursor: 100), Device("user-a", "laptop", 10, cursor: 90), Device("user-b", "phone", 20, cursor: -1)],
            [], Roomy, Ct);

        Assert.Equal(new DeviceSummary(3, 2, 2), await store.SummarizeDevicesAsync(100, T0.AddMinutes(10), Ct));
    }
}
