using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>
/// The sync health records: one row per user and device, and a log of refused events, both kept
/// to a bounded size. Written in batches by <see cref="Devices.SyncHealth"/>, never per request.
/// </summary>
internal interface ISyncHealthStore
{
    /// <summary>
    /// Merges <paramref name="devices"/> into the device records (counts add up, the latest
    /// cursor and client win; a cursor of -1 or a null client leaves the recorded one), appends
    /// <paramref name="rejections"/>, then trims both to <paramref name="limits"/>, dropping the
    /// least recently synced devices and the oldest rejections first. One transaction.
    /// </summary>
    Task RecordSyncHealthAsync(IReadOnlyList<DeviceRecord> devices, IReadOnlyList<RejectionInfo> rejections, SyncHealthLimits limits,
        CancellationToken ct);

    /// <summary>The device records of one user, or of everyone; the most recently synced first.</summary>
    Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string? userUuid, CancellationToken ct);

    /// <summary>The device records in three numbers: all, those synced since <paramref name="activeSince"/>, those behind <paramref name="head"/>.</summary>
    Task<DeviceSummary> SummarizeDevicesAsync(long head, DateTimeOffset activeSince, CancellationToken ct);

    /// <summary>The newest rejections, of one user (and device) or of everyone, newest first.</summary>
    Task<IReadOnlyList<RejectionInfo>> ListRejectionsAsync(string? userUuid, string? device, int limit, CancellationToken ct);
}

/// <summary>One device of one user: what its requests showed, summed up since it was first seen.</summary>
/// <param name="Cursor">The highest seq the server has sent it; -1 until it is sent an answer (a push whose answer was lost).</param>
internal sealed record DeviceRecord(string UserUuid, string Device, string? Client, DateTimeOffset FirstSeen, DateTimeOffset LastSync,
    long Cursor, long Accepted, long Rejected);

/// <summary>How much sync health a store keeps: devices per user and in all, rejections per user and in all.</summary>
internal sealed record SyncHealthLimits(int DevicesPerUser, int Devices, int RejectionsPerUser, int Rejections)
{
    /// <summary>
    /// Enough for every device of a real user and for the recent trouble of many; small enough
    /// that a user inventing device ids or pushing refused events cannot grow the store.
    /// </summary>
    public static SyncHealthLimits Default { get; } = new(DevicesPerUser: 50, Devices: 100_000, RejectionsPerUser: 100, Rejections: 10_000);
}
