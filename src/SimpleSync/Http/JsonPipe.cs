using System.IO.Pipelines;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Http;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> over the response pipe that flushes every few tens of kilobytes,
/// so a long answer streams to the client with the pipe's back-pressure instead of piling up in
/// memory. What was written since the last flush is counted from <c>BytesCommitted</c>:
/// <c>BytesPending</c> alone resets each time the writer moves to a new pipe segment (~4 KB) and
/// would never reach the threshold.
/// </summary>
internal sealed class JsonPipe(PipeWriter pipe) : IAsyncDisposable
{
    private const int FlushThreshold = 32 * 1024;
    private long _flushed;

    public Utf8JsonWriter Json { get; } = new(pipe, new JsonWriterOptions { Encoder = EventJson.Encoder, SkipValidation = true });

    public ValueTask FlushIfFullAsync(CancellationToken ct) =>
        Json.BytesCommitted + Json.BytesPending - _flushed < FlushThreshold ? ValueTask.CompletedTask : FlushAsync(ct);

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        Json.Flush();
        _flushed = Json.BytesCommitted;
        await pipe.FlushAsync(ct);
    }

    public ValueTask DisposeAsync() => Json.DisposeAsync();
}
