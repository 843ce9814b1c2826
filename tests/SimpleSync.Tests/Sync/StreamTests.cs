using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Sync;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Sync;

public sealed class StreamTests
{
    // Real time, only against a hang: what these tests prove does not depend on the machine's speed.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2030, 5, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_subscriber_gets_the_backlog_then_a_new_push_as_it_commits_without_waiting_for_a_heartbeat()
    {
        // The clock never moves, so no heartbeat fires: the push can only come through the hub,
        // not through the look at the store that each quiet heartbeat takes.
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var before = new[] { TestEvents.New(alice), TestEvents.New(alice) };
        await client.SyncAsync(0, before);
        await using var stream = await SseClient.ConnectAsync(client, "/sync/stream?cursor=0");
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var backlog = await stream.NextOfTypeAsync("events", Wait);
        Assert.Equal(before, backlog.Events());
        Assert.Equal("2", backlog.Id);

        var pushed = TestEvents.New(alice);
        await client.SyncAsync(2, pushed);
        var live = await stream.NextOfTypeAsync("events", Wait);
        Assert.Equal([pushed], live.Events());
        Assert.Equal("3", live.Id);
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_misses_nothing_and_repeats_nothing()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var first = TestEvents.New(alice);
        string lastId;
        await using (var stream = await SseClient.ConnectAsync(client, "/sync/stream?cursor=0"))
        {
            await client.SyncAsync(0, first);
            var message = await stream.NextOfTypeAsync("events", Wait);
            Assert.Equal([first], message.Events());
            lastId = message.Id!;
        }

        // While disconnected, more events land.
        var missed = new[] { TestEvents.New(alice), TestEvents.New(alice) };
        await client.SyncAsync(1, missed);

        // The original URL still says cursor=0, as a browser's EventSource would resend it.
        await using var resumed = await SseClient.ConnectAsync(client, "/sync/stream?cursor=0", lastEventId: lastId);
        var caughtUp = await resumed.NextOfTypeAsync("events", Wait);
        Assert.Equal(missed, caughtUp.Events());
        var later = TestEvents.New(alice);
        await client.SyncAsync(3, later);
        Assert.Equal([later], (await resumed.NextOfTypeAsync("events", Wait)).Events());
    }

    private static bool IsKeepAlive(SseMessage message) => message is { Event: "comment", Data: "keep-alive" };

    [Fact]
    public async Task A_quiet_stream_gets_a_keep_alive_comment_each_heartbeat_and_no_sooner()
    {
        var time = new FakeTimeProvider(Start);
        var heartbeat = TimeSpan.FromSeconds(15);
        await using var server = await LiveServer.StartAsync(o => o with { Sync = o.Sync with { Heartbeat = heartbeat } }, time);
        var (_, client) = await server.NewUserAsync("alice");
        var connectedAt = time.GetUtcNow();
        await using var stream = await SseClient.ConnectAsync(client, "/sync/stream");

        var keepAlives = 0;
        while (keepAlives < 3)
        {
            // Quarter steps: a keep-alive that came before its heartbeat had passed would show.
            var message = await stream.NextAdvancingAsync(time, heartbeat / 4, Wait);
            Assert.NotNull(message);
            if (!IsKeepAlive(message))
            {
                Assert.True(keepAlives == 0, $"a quiet stream sent {message}");
                continue;
            }
            keepAlives++;
            Assert.True(time.GetUtcNow() - connectedAt >= keepAlives * heartbeat,
                $"keep-alive {keepAlives} came {time.GetUtcNow() - connectedAt} after connecting");
        }
    }

    [Fact]
    public async Task A_stream_ends_with_a_reason_at_its_maximum_lifetime()
    {
        var time = new FakeTimeProvider(Start);
        var (heartbeat, lifetime) = (TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(2));
        await using var server = await LiveServer.StartAsync(o => o with
        {
            Sync = o.Sync with { StreamMaxLifetime = lifetime, Heartbeat = heartbeat },
        }, time);
        var (_, client) = await server.NewUserAsync("alice");
        var connectedAt = time.GetUtcNow();
        await using var stream = await SseClient.ConnectAsync(client, "/sync/stream");

        SseMessage? message;
        while ((message = await stream.NextAdvancingAsync(time, heartbeat, Wait)) is { Event: not "end" })
            Assert.True(message.Event != "events", $"a quiet stream sent {message}");

        Assert.NotNull(message);
        Assert.Contains("\"reason\":\"max_lifetime\"", message.Data, StringComparison.Ordinal);
        Assert.True(time.GetUtcNow() - connectedAt >= lifetime, $"ended {time.GetUtcNow() - connectedAt} after connecting");
        Assert.Null(await stream.NextAsync(Wait));
    }

    [Fact]
    public async Task Stopping_the_server_ends_open_streams_with_a_reason()
    {
        var server = await LiveServer.StartAsync();
        await using var _ = server;
        var (_, client) = await server.NewUserAsync("alice");
        await using var stream = await SseClient.ConnectAsync(client, "/sync/stream");
        await stream.NextAsync(Wait);

        var stopping = server.App.StopAsync(TestContext.Current.CancellationToken);
        var end = await stream.NextOfTypeAsync("end", Wait);
        await stopping;

        Assert.Contains("\"reason\":\"server_stopping\"", end.Data, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sync/stream?cursor=-1", null)]
    [InlineData("/sync/stream?cursor=x", null)]
    [InlineData("/sync/stream", "abc")]
    public async Task A_bad_cursor_or_Last_Event_ID_is_400(string path, string? lastEventId)
    {
        await using var server = await LiveServer.StartAsync();
        var (_, client) = await server.NewUserAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
    }

    [Fact]
    public async Task A_subscriber_that_never_reads_is_cut_off_without_holding_up_pushes()
    {
        await using var server = await LiveServer.StartAsync(o => o with
        {
            Sync = o.Sync with { StreamBufferEvents = 50 },
            Limits = o.Limits with { MaxBodyBytes = 64 * 1024 * 1024 },
        });
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var hub = server.App.Services.GetRequiredService<StreamHub>();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;

        // A raw socket that asks for the stream and then never reads a byte.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, TestContext.Current.CancellationToken);
        var request = $"GET /sync/stream HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nAuthorization: Bearer {token}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        await Conditions.WaitUntilAsync(() => hub.Count == 1, "the stream's subscription");

        // Far more than the socket buffers and the stream buffer can hold: ~40 MB of events.
        var payload = new string('x', 32 * 1024);
        for (var i = 0; i < 25; i++)
        {
            var batch = Enumerable.Range(0, 50).Select(_ => TestEvents.New(alice, payload: payload)).ToArray();
            var answer = await client.SyncAsync(long.MaxValue, batch);
            Assert.All(answer.Results!, r => Assert.Equal(PushStatuses.Accepted, r.Status));
        }

        await Conditions.WaitUntilAsync(() => hub.Count == 0, "cutting off the stream");
        Assert.Equal(25 * 50, (await client.PullAllAsync(0, limit: 10_000)).Cursor);
    }

    [Fact]
    public async Task Every_stream_begins_with_hello_naming_the_epoch_and_where_it_continues_with_a_retry_time()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var epoch = (await client.SyncAsync(0, TestEvents.New(alice), TestEvents.New(alice))).Epoch;

        await using (var fresh = await SseClient.ConnectAsync(client, "/sync/stream?cursor=0"))
        {
            var hello = await fresh.NextAsync(Wait);
            Assert.Equal("hello", hello?.Event);
            Assert.Equal(new StreamHello(epoch, 0), hello!.Hello());
            Assert.Equal(((long)StreamEndpoint.Retry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), hello.Retry);
            Assert.Equal("2", (await fresh.NextAsync(Wait))?.Id);
        }

        // A reconnect: Last-Event-ID wins over the URL's cursor, and hello says so.
        await using var resumed = await SseClient.ConnectAsync(client, $"/sync/stream?cursor=0&epoch={epoch}", lastEventId: "1");
        Assert.Equal(new StreamHello(epoch, 1), (await resumed.NextOfTypeAsync("hello", Wait)).Hello());
        var rest = await resumed.NextAsync(Wait);
        Assert.Equal("events", rest?.Event);
        Assert.Equal("2", rest!.Id);
    }

    [Fact]
    public async Task A_stream_asked_for_with_another_epoch_ends_at_once_with_epoch_changed_and_sends_no_event()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var epoch = (await client.SyncAsync(0, TestEvents.New(alice), TestEvents.New(alice), TestEvents.New(alice))).Epoch;
        var restoredFrom = Guid.NewGuid().ToString("N");

        // Seq 1 of the other history says nothing about this one: answering from it could skip events.
        await using var stream = await SseClient.ConnectAsync(client, $"/sync/stream?epoch={restoredFrom}", lastEventId: "1");

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal(new StreamHello(epoch, 1), (await stream.NextAsync(Wait))!.Hello());
        var end = await stream.NextAsync(Wait);
        Assert.Equal("end", end?.Event);
        Assert.Equal(StreamEndReasons.EpochChanged, end!.EndReason());
        Assert.Null(await stream.NextAsync(Wait));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not%20an%20epoch")]
    [InlineData("a&epoch=b")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_malformed_epoch_is_refused_naming_the_parameter(string epoch)
    {
        await using var server = await LiveServer.StartAsync();
        var (_, client) = await server.NewUserAsync("alice");

        using var response = await client.GetAsync($"/sync/stream?epoch={epoch}", TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.True(problem.GetProperty("errors").TryGetProperty("epoch", out _), problem.ToString());
    }
}
