using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// Writes the text/event-stream format. By hand rather than with TypedResults.ServerSentEvents:
/// the protocol needs comment lines for keep-alive, which SseItem cannot express, and the events'
/// JSON is written straight into the pipe rather than built as a string per message first.
/// </summary>
internal sealed class SseWriter(PipeWriter pipe)
{
    /// <summary>Most events in one message.</summary>
    public const int MaxMessageEvents = 1_000;

    /// <summary>A message ends after the event that takes its JSON past this, so clients can cap what they buffer.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private static readonly byte[] EventsStart = "event: events\ndata: "u8.ToArray();
    private static readonly byte[] MessageEnd = "\n\n"u8.ToArray();
    private static readonly byte[] IdPrefix = "\nid: "u8.ToArray();

    /// <summary>
    /// Writes a batch as one message or more: <c>event: events</c>, <c>data: [events]</c> and
    /// <c>id: &lt;seq of the message's last event&gt;</c> (after the data, which SSE allows, because
    /// where a message ends is known only once its events are written).
    /// </summary>
    public async ValueTask WriteEventsAsync(IReadOnlyList<SequencedEvent> batch, CancellationToken ct)
    {
        var next = 0;
        while (next < batch.Count)
        {
            pipe.Write(EventsStart);
            using (var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = EventJson.Encoder, SkipValidation = true }))
            {
                json.WriteStartArray();
                var count = 0;
                do
                {
                    EventJson.Write(json, batch[next++].Event);
                    count++;
                }
                while (next < batch.Count && count < MaxMessageEvents && json.BytesCommitted + json.BytesPending < MaxMessageBytes);
                json.WriteEndArray();
            }
            WriteId(batch[next - 1].Seq);
            await pipe.FlushAsync(ct);
        }
    }

    /// <summary>
    /// The first message of every stream: <c>retry:</c> (how long an EventSource waits before it
    /// reconnects) and <c>event: hello</c> with the epoch and the seq the stream continues after,
    /// so a client that reads only the stream notices a restored store.
    /// </summary>
    public async ValueTask WriteHelloAsync(StreamHello hello, TimeSpan retry, CancellationToken ct)
    {
        Write($"retry: {(long)retry.TotalMilliseconds}\nevent: hello\ndata: ");
        using (var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Encoder = EventJson.Encoder }))
            JsonSerializer.Serialize(json, hello, ProtocolJsonContext.Default.StreamHello);
        pipe.Write(MessageEnd);
        await pipe.FlushAsync(ct);
    }

    /// <summary>A comment line: ignored by clients, keeps proxies and NATs from closing an idle connection.</summary>
    public async ValueTask WriteCommentAsync(string text, CancellationToken ct)
    {
        Write($": {text}\n\n");
        await pipe.FlushAsync(ct);
    }

    /// <summary>The last message of a stream the server ends: <c>event: end</c> with the reason as JSON.</summary>
    public async ValueTask WriteEndAsync(string reason, string detail, CancellationToken ct)
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
        await pipe.FlushAsync(ct);
    }

    private void Write(string text) => pipe.Write(Encoding.UTF8.GetBytes(text));

    /// <summary>The <c>id:</c> line that ends a message of events, formatted straight into the pipe: one per message, no string.</summary>
    private void WriteId(long seq)
    {
        var span = pipe.GetSpan(IdPrefix.Length + 20 + MessageEnd.Length);
        IdPrefix.CopyTo(span);
        seq.TryFormat(span[IdPrefix.Length..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
        MessageEnd.CopyTo(span[(IdPrefix.Length + digits)..]);
        pipe.Advance(IdPrefix.Length + digits + MessageEnd.Length);
    }
}
