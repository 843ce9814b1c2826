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
