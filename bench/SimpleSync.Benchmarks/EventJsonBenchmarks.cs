using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SimpleSync.Protocol;

namespace SimpleSync.Benchmarks;

/// <summary>
/// The JSON hot paths of the server: reading a pushed batch (every push parses one) and writing
/// a page of history (every pull writes up to 10,000 events). Events are shaped like the load
/// generator's: about 290 bytes of JSON each, with an escaped JSON payload.
/// </summary>
[MemoryDiagnoser]
public class EventJsonBenchmarks
{
    private byte[] _pushArray = [];
    private byte[] _syncRequest = [];
    private Event[] _page = [];
    private readonly ArrayBufferWriter<byte> _output = new(4 * 1024 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        var pushed = Events(100);
        _pushArray = WriteArray(pushed);
        _syncRequest = Encoding.UTF8.GetBytes($"{{\"cursor\":123,\"events\":{Encoding.UTF8.GetString(_pushArray)}}}");
        _page = Events(10_000);
    }

    /// <summary>POST /events: a 100-event body.</summary>
    [Benchmark]
    public List<ParsedEvent> ReadArray100() => EventJson.ReadArray(_pushArray, EventRules.DefaultMaxPayloadBytes);

    /// <summary>POST /sync: the same 100 events inside {cursor, events}.</summary>
    [Benchmark]
    public int ReadSyncRequest100()
    {
        var parser = new PushBodyParser(PushBodyShape.SyncRequest, EventRules.DefaultMaxPayloadBytes);
        parser.Feed(_syncRequest, isFinalBlock: true);
        return parser.Events.Count;
    }

    /// <summary>A full GET /sync page: 10,000 events into a reused buffer, as the server writes them into the response pipe.</summary>
    [Benchmark]
    public int Write10000()
    {
        _output.ResetWrittenCount();
        using var json = new Utf8JsonWriter(_output, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartArray();
        foreach (var e in _page)
            EventJson.Write(json, e);
        json.WriteEndArray();
        json.Flush();
        return _output.WrittenCount;
    }

    private static Event[] Events(int count)
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Enumerable.Range(0, count).Select(i => new Event(
            Guid.CreateVersion7().ToString(),
            now + (ulong)i,
            "u-pusher-1",
            $"task-{i % 1000}",
            "update",
            $"{{\"title\":\"Buy milk and bread\",\"done\":false,\"n\":{i},\"tags\":[\"home\",\"errand\"]}}")).ToArray();
    }

    private static byte[] WriteArray(Event[] events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var e in events)
                EventJson.Write(json, e);
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
