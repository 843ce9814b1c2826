using System.Net;
using System.Net.Sockets;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>
/// A client that downloads the history slowly must not stall the store: the answer is read in
/// short transactions, so the write-ahead log keeps being checkpointed and reset while pushes go
/// on, and the client still receives exactly the history as it was when it asked.
/// </summary>
public sealed class SlowReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The WAL bound this test states: a few checkpoint intervals (4 MB each), far below what is pushed meanwhile.</summary>
    private const long WalBound = 16 * 1024 * 1024;

    private static Event[] Batch(string user, int count, ref ulong timestamp, int payloadBytes)
    {
        var payload = new string('p', payloadBytes);
        var events = new Event[count];
        for (var i = 0; i < count; i++)
            events[i] = TestEvents.New(user, payload: payload, timestamp: timestamp += 2);
        return events;
    }

    [Fact]
    public async Task A_reader_that_stalls_mid_answer_does_not_grow_the_WAL_and_gets_exactly_the_history_it_asked_for()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Limits = o.Limits with { MaxBodyBytes = 4 * 1024 * 1024 } });
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var timestamp = 1_000_000UL;
        var before = new List<Event>();
        for (var i = 0; i < 20; i++)
        {
            var batch = Batch(alice, 50, ref timestamp, 20_000);
            await client.SyncAsync(long.MaxValue, batch);
            before.AddRange(batch);
        }

        // A client with a tiny receive buffer that reads the start of GET /events and then stops:
        // the server is left blocked half-way through 20 MB of answer.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 8 * 1024, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var slow = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        slow.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        using var response = await slow.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1000", Assert.Single(response.Headers.GetValues("Sync-Cursor")));
        var body = await response.Content.ReadAsStreamAsync(Ct);
        var start = new byte[64 * 1024];
        await body.ReadExactlyAsync(start, Ct);

        // 40 MB of pushes while it stalls, with timestamps among and around the ones it is reading.
        var walPath = server.Options.Storage.SqlitePath + "-wal";
        long largestWal = 0;
        var later = 0UL;
        for (var i = 0; i < 40; i++)
        {
            await client.SyncAsync(long.MaxValue, Batch(alice, 50, ref later, 20_000));
            largestWal = Math.Max(largestWal, new FileInfo(walPath).Length);
        }

        var rest = new MemoryStream();
        rest.Write(start);
        await body.CopyToAsync(rest, Ct);
        var received = EventJson.ReadArray(rest.ToArray(), int.MaxValue).Select(p => p.Event!).ToList();
        Assert.True(largestWal < WalBound, $"the WAL grew to {largestWal} bytes while a reader stalled");
        Assert.Equal(before.OrderBy(e => e, Event.HistoryOrder), received);
    }
}
