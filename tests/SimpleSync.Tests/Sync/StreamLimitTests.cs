using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Sync;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Sync;

/// <summary>
/// What live streams may hold: a few per user and a bounded number in all, never past the login
/// that opened them, and messages of bounded size.
/// </summary>
public sealed class StreamLimitTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens a stream and waits for its first line, so the server has counted it.</summary>
    private static async Task<SseClient> OpenAsync(HttpClient client)
    {
        var stream = await SseClient.ConnectAsync(client, "/sync/stream");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.NotNull(await stream.NextAsync(Wait));
        return stream;
    }

    private static async Task AssertRefusedAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sync/stream");
        using var refused = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
        Assert.Equal("5", Assert.Single(refused.Headers.GetValues("Retry-After")));
    }

    [Fact]
    public async Task Streams_past_the_per_user_and_the_server_limit_are_429_with_Retry_After()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Sync = o.Sync with { MaxStreamsPerUser = 3, MaxStreams = 5 } });
        var (_, alice) = await server.NewUserAsync("alice");
        var (_, bob) = await server.NewUserAsync("bob");
        var hub = server.App.Services.GetRequiredService<StreamHub>();
        var streams = new List<SseClient>();
        try
        {
            for (var i = 0; i < 3; i++)
                streams.Add(await OpenAsync(alice));
            await AssertRefusedAsync(alice);

            streams.Add(await OpenAsync(bob));
            streams.Add(await OpenAsync(bob));
            await AssertRefusedAsync(bob);
            Assert.Equal(5, hub.Count);

            await streams[0].DisposeAsync();
            await Conditions.WaitUntilAsync(() => hub.Count == 4, "closing a stream");
            streams[0] = await OpenAsync(alice);
        }
        finally
        {
            foreach (var stream in streams)
                await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_password_change_through_the_API_ends_that_users_streams_at_once_with_reason_revoked()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        var (bobUuid, bob) = await server.NewUserAsync("bob");
        await using var aliceStream = await OpenAsync(alice);
        await using var bobStream = await OpenAsync(bob);

        var admin = await server.AdminAsync();
        using (var changed = await admin.PutAsJsonAsync($"/admin/users/{aliceUuid}", new UpdateUserRequest(NewPassword: "a-brand-new-password"), Ct))
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        var end = await aliceStream.NextOfTypeAsync("end", Wait);
        Assert.Contains("\"reason\":\"revoked\"", end.Data, StringComparison.Ordinal);
        Assert.Null(await aliceStream.NextAsync(Wait));
        var e = TestEvents.New(bobUuid);
        await bob.SyncAsync(0, e);
        Assert.Equal([e], (await bobStream.NextOfTypeAsync("events", Wait)).Events());
    }

    /// <summary>
    /// Moves the clock a step at a time, never past <paramref name="limit"/> from now, until a
    /// message of <paramref name="type"/> arrives; returns it and how far the clock moved. A
    /// message that needs more clock than the limit never comes, and the test fails on that.
    /// </summary>
    private static async Task<(SseMessage Message, TimeSpan Advanced)> AdvanceUntilAsync(FakeTimeProvider time, SseClient stream,
        string type, TimeSpan step, TimeSpan limit)
    {
        var start = time.GetUtcNow();
        while (true)
        {
            var message = await stream.NextAdvancingAsync(time, step, Wait, start + limit);
            Assert.True(message is not null, $"the stream closed, or sent nothing within {limit} of clock, before a '{type}' message");
            if (message.Event == type)
                return (message, time.GetUtcNow() - start);
        }
    }

    [Fact]
    public async Task A_password_change_made_by_another_process_ends_the_stream_within_one_heartbeat()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await LiveServer.StartAsync(o => o with { Sync = o.Sync with { Heartbeat = Heartbeat } }, time);
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        await using var stream = await OpenAsync(alice);

        // As `simple-sync user passwd` does: its own store over the same file, a new stamp.
        await using (var cli = await EventStores.OpenAsync(server.Options.Storage, null, create: false, keepReads: false, Ct))
            Assert.True(await cli.UpdateUserAsync(aliceUuid, null, "pbkdf2-sha256$1$AA==$AA==", "a-new-stamp", time.GetUtcNow(), Ct));

        var (end, advanced) = await AdvanceUntilAsync(time, stream, "end", TimeSpan.FromSeconds(1), Heartbeat);
        Assert.Contains("\"reason\":\"revoked\"", end.Data, StringComparison.Ordinal);
        Assert.True(advanced <= Heartbeat, $"the stream outlived its revocation by {advanced}");
        using var refused = await alice.GetAsync("/sync", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_stream_ends_when_the_token_that_opened_it_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await LiveServer.StartAsync(o => o with
        {
            Auth = o.Auth with { TokenLifetime = TimeSpan.FromMinutes(10) },
            Sync = o.Sync with { Heartbeat = Heartbeat },
        }, time);
        var (_, alice) = await server.NewUserAsync("alice");
        await using var stream = await OpenAsync(alice);

        var (end, advanced) = await AdvanceUntilAsync(time, stream, "end", Heartbeat, TimeSpan.FromMinutes(10) + Heartbeat);

        Assert.Contains("\"reason\":\"token_expired\"", end.Data, StringComparison.Ordinal);
        Assert.InRange(advanced, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10) + Heartbeat);
    }

    [Fact]
    public async Task A_large_commit_reaches_a_stream_in_messages_of_at_most_1000_events_with_rising_ids()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        await using var stream = await OpenAsync(client);
        var pushed = Enumerable.Range(0, 2_500).Select(_ => TestEvents.New(alice)).ToArray();

        await client.SyncAsync(0, pushed);

        var received = new List<Event>();
        var ids = new List<long>();
        while (received.Count < pushed.Length)
        {
            var message = await stream.NextOfTypeAsync("events", Wait);
            var events = message.Events();
            Assert.InRange(events.Count, 1, SseWriter.MaxMessageEvents);
            received.AddRange(events);
            ids.Add(long.Parse(message.Id!, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(pushed, received);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(2_500, ids[^1]);
    }

    [Fact]
    public async Task Large_payloads_reach_a_stream_in_messages_of_about_a_megabyte_and_a_pull_in_pages_of_about_8_megabytes()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        await using var stream = await OpenAsync(client);
        var payload = new string('x', 60_000);
        var pushed = Enumerable.Range(0, 200).Select(_ => TestEvents.New(alice, payload: payload)).ToArray();

        await client.SyncAsync(long.MaxValue, pushed);

        var received = new List<Event>();
        while (received.Count < pushed.Length)
        {
            var message = await stream.NextOfTypeAsync("events", Wait);
            Assert.True(message.Data.Length < SseWriter.MaxMessageBytes + 70_000, $"a message of {message.Data.Length} bytes");
            received.AddRange(message.Events());
        }
        Assert.Equal(pushed, received);

        var first = await client.PullAsync(0);
        Assert.True(first.More);
        Assert.InRange(first.Events.Count * 60_000, SyncWriter.MaxPageBytes - 70_000, SyncWriter.MaxPageBytes + 70_000);
        var (all, _) = await client.PullAllAsync(0, limit: 10_000);
        Assert.Equal(pushed, all);
    }
}
