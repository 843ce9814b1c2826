using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Events;

/// <summary>
/// Streams a history as a JSON array straight from the database cursor to the response.
/// Nothing is collected in memory: the writer flushes to the pipe every few kilobytes, so
/// memory stays flat whatever the size of the history.
/// </summary>
internal static class HistoryWriter
{
    private const int FlushThreshold = 32 * 1024;

    public static async Task WriteAsync(HttpResponse response, IHistorySnapshot snapshot, ulong fromTimestamp, CancellationToken ct)
    {
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[SyncHeaders.Cursor] = snapshot.HighestSeq.ToString();
        var pipe = response.BodyWriter;
        await using var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = EventJson.Encoder, SkipValidation = true });
        json.WriteStartArray();
        await foreach (var e in snapshot.ReadHistory(fromTimestamp, ct))
        {
            EventJson.Write(json, e);
            if (json.BytesPending > FlushThreshold)
            {
                json.Flush();
                await pipe.FlushAsync(ct);
            }
        }
        json.WriteEndArray();
        json.Flush();
        await pipe.FlushAsync(ct);
    }
}

internal static class SyncHeaders
{
    /// <summary>The highest seq in the history the response reflects.</summary>
    public const string Cursor = "Sync-Cursor";

    /// <summary>How many pushed events were refused.</summary>
    public const string Rejected = "Sync-Rejected";
}
