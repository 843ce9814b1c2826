namespace SimpleSync.Http;

/// <summary>
/// The protocol's own headers (docs/protocol.md). Kept with the HTTP plumbing rather than in one
/// feature: both history writers set them, the CORS policy exposes them, the device record reads them.
/// </summary>
internal static class SyncHeaders
{
    /// <summary>The highest seq in the history the response reflects.</summary>
    public const string Cursor = "Sync-Cursor";

    /// <summary>How many pushed events were refused.</summary>
    public const string Rejected = "Sync-Rejected";

    /// <summary>
    /// The request's device: the id of the client's local store (docs/protocol.md). Read by
    /// <see cref="Devices.DeviceCaller"/> for the sync health record; a malformed value is ignored, never refused.
    /// </summary>
    public const string Device = "Sync-Device";

    /// <summary>The request's SDK and app with their versions (docs/protocol.md); read and ignored when malformed, as <see cref="Device"/>.</summary>
    public const string Client = "Sync-Client";

    /// <summary>The most characters of a <see cref="Device"/> value: more is malformed.</summary>
    public const int MaxDeviceLength = 64;

    /// <summary>The most characters of a <see cref="Client"/> value: more is malformed.</summary>
    public const int MaxClientLength = 200;
}
