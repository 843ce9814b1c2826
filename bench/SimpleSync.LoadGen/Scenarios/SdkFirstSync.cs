using System.Diagnostics;
using System.Net;
using SimpleSync.Client;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// A new device's first sync as an app makes it: the real .NET SDK, an empty in-memory store,
/// one <c>SyncAsync</c>. It asks for compressed answers and decodes them itself; the handler
/// below leaves them compressed and counts the bytes as they come off the socket.
/// </summary>
internal static class SdkFirstSync
{
    public static async Task<IReadOnlyList<Figure>> MeasureAsync(Uri server, string username, long expected, long rawJsonBytes,
        CancellationToken ct)
    {
        var wire = new WireMeter();
        using var http = new HttpClient(wire) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        using var client = new SyncClient(http, storePath: null);
        await client.LoginAsync(username, BenchServer.Password, ct);
        wire.Reset();
        var started = Stopwatch.GetTimestamp();
        await client.SyncAsync(ct);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var held = client.Events().Count;
        if (held != expected)
            throw new BenchException($"the SDK's first sync holds {held} events where {expected} were stored");
        return
        [
            new("SDK first sync: bytes on the wire", wire.Bytes / 1024.0 / 1024, "MB"),
            new("SDK first sync: share of the JSON", 100.0 * wire.Bytes / rawJsonBytes, "%", Target.Max(15)),
            new("SDK first sync: time to first byte", Latencies.ToMs(wire.FirstAnswerAt - started), "ms"),
            new("SDK first sync: whole history", seconds, "s"),
        ];
    }

    /// <summary>Counts the bytes of every answer body as they arrive, before any decoding.</summary>
    private sealed class WireMeter() : DelegatingHandler(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public long FirstAnswerAt { get; private set; }

        public void Reset()
        {
            Interlocked.Exchange(ref _bytes, 0);
            FirstAnswerAt = 0;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (FirstAnswerAt == 0)
                FirstAnswerAt = Stopwatch.GetTimestamp();
            var counted = new StreamContent(new CountingStream(await response.Content.ReadAsStreamAsync(ct), this));
            foreach (var header in response.Content.Headers)
                counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = counted;
            return response;
        }

        private sealed class CountingStream(Stream inner, WireMeter meter) : Stream
        {
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
                Counted(await inner.ReadAsync(buffer, ct));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
                ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    inner.Dispose();
                base.Dispose(disposing);
            }

            private int Counted(int read)
            {
                Interlocked.Add(ref meter._bytes, read);
                return read;
            }
        }
    }
}
