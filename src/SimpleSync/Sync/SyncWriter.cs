using System.Text.Json;
using SimpleSync.Http;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// Writes a sync answer straight from the database cursor to the response, like the history
/// endpoints: a page of up to 10,000 events is never collected first. <c>cursor</c> and
/// <c>more</c> come after <c>events</c> because they are known only once the page is read.
/// </summary>
internal static class SyncWriter
{
    /// <summary>A page ends after the event that takes its events' JSON past this (with more: true), so clients can cap an answer's size.</summary>
    public const int MaxPageBytes = 8 * 1024 * 1024;

    /// <summary>Writes the answer; returns its cursor, the seq the client reaches by applying it.</summary>
    public static async Task<long> WriteAsync(HttpResponse response, string epoch, IHistorySnapshot snapshot, long cursor, int limit,
        IReadOnlyList<PushResult>? results, CancellationToken ct)
    {
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[SyncHeaders.Cursor] = snapshot.HighestSeq.ToString();
        await using var output = new JsonPipe(response.BodyWriter);
        var json = output.Json;
        json.WriteStartObject();
        json.WriteString("epoch", epoch);
        if (results is not null)
            WriteResults(json, results);

        json.WriteStartArray("events");
        var start = json.BytesCommitted + json.BytesPending;
        var last = cursor;
        var count = 0;
        var full = false;
        var more = false;
        // One row past the page tells whether there is more without a second query.
        await foreach (var (seq, e) in snapshot.ReadSince(cursor, limit + 1, ct))
        {
            if (count == limit || full)
            {
                more = true;
                break;
            }
            EventJson.Write(json, e);
            last = seq;
            count++;
            full = json.BytesCommitted + json.BytesPending - start >= MaxPageBytes;
            await output.FlushIfFullAsync(ct);
        }
        json.WriteEndArray();
        json.WriteNumber("cursor", last);
        json.WriteBoolean("more", more);
        json.WriteEndObject();
        await output.FlushAsync(ct);
        return last;
    }

    private static void WriteResults(Utf8JsonWriter json, IReadOnlyList<PushResult> results)
    {
        json.WriteStartArray("results");
        foreach (var result in results)
        {
            json.WriteStartObject();
            json.WriteString("uuid", result.Uuid);
            json.WriteString("status", result.Status);
            if (result.Reason is not null)
            {
                json.WriteString("reason", result.Reason);
                json.WriteString("detail", result.Detail);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
