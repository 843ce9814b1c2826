namespace SimpleSync.Protocol;

/// <summary>Answer of <c>GET /admin/devices</c>: every recorded device, and the head its lag is measured against.</summary>
/// <param name="Head">The highest seq in the history now.</param>
/// <param name="Devices">The devices, the most recently synced first.</param>
public sealed record DeviceList(long Head, IReadOnlyList<DeviceInfo> Devices);

/// <summary>What the server knows of one device of one user (docs/protocol.md, "Identifying the device").</summary>
/// <param name="UserUuid">The user the device syncs as.</param>
/// <param name="Device">The device id it sends as <c>Sync-Device</c>.</param>
/// <param name="Client">The SDK and app it last named in <c>Sync-Client</c>, or null if it never did.</param>
/// <param name="FirstSeen">When it first synced.</param>
/// <param name="LastSync">When it last synced: a pull, a push or a live stream's message.</param>
/// <param name="Cursor">The highest seq the server has sent it.</param>
/// <param name="Lag">How many seqs its cursor is behind the head (never negative).</param>
/// <param name="Accepted">Events it pushed that were stored.</param>
/// <param name="Rejected">Events it pushed that were refused.</param>
public sealed record DeviceInfo(string UserUuid, string Device, string? Client, DateTimeOffset FirstSeen, DateTimeOffset LastSync,
    long Cursor, long Lag, long Accepted, long Rejected);

/// <summary>One entry of <c>GET /admin/rejections</c>: a pushed event the server refused.</summary>
/// <param name="At">When it was refused.</param>
/// <param name="UserUuid">The user who pushed it.</param>
/// <param name="Device">The device that pushed it, or null if the request named none.</param>
/// <param name="EventUuid">The event's uuid as pushed (cut to 200 characters), or null if it had none.</param>
/// <param name="ItemUuid">The event's itemUuid, or null if the event was not valid.</param>
/// <param name="Action">The event's action, or null if the event was not valid.</param>
/// <param name="Reason">The rejection reason, as in the push's answer.</param>
/// <param name="Detail">The rejection detail, as in the push's answer.</param>
/// <param name="Rule">For <c>acl_denied</c>, the index of the ACL rule that denied it; null when no rule matched (the default) and for other reasons.</param>
/// <param name="AclVersion">For <c>acl_denied</c>, the version of the ACL that decided; otherwise null.</param>
public sealed record RejectionInfo(DateTimeOffset At, string UserUuid, string? Device, string? EventUuid, string? ItemUuid, string? Action,
    string Reason, string Detail, int? Rule, long? AclVersion);

/// <summary>Answer of <c>GET /admin/overview</c>: the server at a glance.</summary>
/// <param name="Version">The answering server's version.</param>
/// <param name="Storage">The storage provider: <c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Epoch">The store's epoch.</param>
/// <param name="Head">The highest seq in the history.</param>
/// <param name="StreamsOpen">Live streams open on the answering server.</param>
/// <param name="StartedAt">When the answering server started.</param>
/// <param name="Devices">The recorded devices, summed up.</param>
/// <param name="RejectionsByReason">Events refused by the answering server since it started, by reason.</param>
public sealed record ServerOverview(string Version, string Storage, string Epoch, long Head, int StreamsOpen, DateTimeOffset StartedAt,
    DeviceSummary Devices, IReadOnlyDictionary<string, long> RejectionsByReason);

/// <summary>The recorded devices in three numbers, as <c>GET /admin/overview</c> and <c>/metrics</c> give them.</summary>
/// <param name="Known">Devices recorded.</param>
/// <param name="Active">Devices that synced in the last 24 hours.</param>
/// <param name="Behind">Devices whose cursor is behind the head.</param>
public sealed record DeviceSummary(long Known, long Active, long Behind);
