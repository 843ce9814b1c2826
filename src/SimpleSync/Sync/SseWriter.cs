using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// Writes the text/event-stream format. By hand rather than with TypedResults.ServerSentEvents:
/// the protocol needs comment lines for keep-alive, which SseItem cannot express, and writing
/// the events' JSON straight into the pipe avoids building a string per batch.
/// </summary>
internal sealed class SseWriter(PipeWriter pipe)
{
    private static readonly byte[] EventsHeader = "\nevent: events\ndata: "u8.ToArray();
    private static readonly byte[] MessageEnd = "\n\n"u8.ToArray();

    /// <summary>One message: <c>id: &lt;seq of its last event&gt;</c>, <c>event: events</c>, <c>data: [events]</c>.</summary>
    public ValueTask<FlushResult> WriteEventsAsync(IReadOnlyList<SequencedEvent> batch, CancellationToken ct)
    {
        Write($"id: {batch[^1].Seq}");
        pipe.Write(EventsHeader);
        using (var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = EventJson.Encoder, SkipValidation = true }))
        {
            json.WriteStartArray();
            foreach (var (_, e) in batch)
                EventJson.Write(json, e);
            json.WriteEndArray();
        }
        pipe.Write(MessageEnd);
        return pipe.FlushAsync(ct);
    }

    /// <summary>A comment line: ignored by clients, keeps proxies and NATs from closing an idle connection.</summary>
    public ValueTask<FlushResult> WriteCommentAsync(string text, CancellationToken ct)
    {
        Write($": {text}\n\n");
        return pipe.FlushAsync(ct);
    }

    /// <summary>The last message of a stream the server ends: <c>event: end</c> with the reason as JSON.</summary>
    public ValueTask<FlushResult> WriteEndAsync(string reason, string detail, CancellationToken ct)
    {
        Write("event: end\ndata: ");
        using (var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = EventJson.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("reason", reason);
            json.WriteString("detail", detail);
            json.WriteEndObject();
        }
        pipe.Write(MessageEnd);
        return pipe.FlushAsync(ct);
    }

    private void Write(string text) => pipe.Write(System.Text.Encoding.UTF8.GetBytes(text));
}
