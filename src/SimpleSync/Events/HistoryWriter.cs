using SimpleSync.Http;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Events;

/// <summary>
/// Streams a history as a JSON array straight from the database cursor to the response.
/// Nothing is collected in memory: the writer flushes to the pipe every 32 KiB (JsonPipe), so
/// memory stays flat whatever the size of the history.
/// </summary>
internal static class HistoryWriter
{
    public static async Task WriteAsync(HttpResponse response, IHistorySnapshot snapshot, ulong fromTimestamp, CancellationToken ct)
    {
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[SyncHeaders.Cursor] = snapshot.HighestSeq.ToString();
        await using var output = new JsonPipe(response.BodyWriter);
        var json = output.Json;
        json.WriteStartArray();
        await foreach (var e in snapshot.ReadHistory(fromTimestamp, ct))
        {
            EventJson.Write(json, e);
            await output.FlushIfFullAsync(ct);
        }
        json.WriteEndArray();
        await output.FlushAsync(ct);
    }
}

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
