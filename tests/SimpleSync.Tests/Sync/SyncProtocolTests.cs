using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Sync;

public sealed class SyncProtocolTests
{
    [Fact]
    public async Task Pulling_pages_through_the_history_returns_each_event_once_in_seq_order()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        // Timestamps descending: seq order (acceptance) differs from history order (timestamp).
        var pushed = Enumerable.Range(0, 25).Select(i => TestEvents.New(alice, timestamp: (ulong)(1000 - i))).ToArray();
        (await client.PushAsync(pushed)).Dispose();

        var first = await client.PullAsync(0, limit: 10);
        Assert.Equal(pushed[..10], first.Events);
        Assert.Equal(10, first.Cursor);
        Assert.True(first.More);
        var (rest, cursor) = await client.PullAllAsync(first.Cursor, limit: 10);
        Assert.Equal(pushed[10..], rest);
        Assert.Equal(25, cursor);

        var empty = await client.PullAsync(cursor);
        Assert.Empty(empty.Events);
        Assert.Equal(25, empty.Cursor);
        Assert.False(empty.More);
    }

    [Fact]
    public async Task A_sync_reports_one_result_per_event_in_request_order_with_every_rejection_reason()
    {
        await using var server = await LiveServer.StartAsync();
        await server.SetAclAsync(new AclRule("*", "task-*", "*", true));
        var (alice, client) = await server.NewUserAsync("alice");
        var earlier = TestEvents.New(alice);
        var before = await client.SyncAsync(0, earlier);

        var accepted = TestEvents.New(alice, item: "task-2");
        var denied = TestEvents.New(alice, item: "note-1");
        var invalid = TestEvents.New(alice) with { Action = "" };
        var conflicting = earlier with { Payload = "{\"other\":1}" };
        var foreign = TestEvents.New("user-bob");
        var tooLarge = TestEvents.New(alice, payload: new string('x', EventRules.DefaultMaxPayloadBytes + 1));
        var answer = await client.SyncAsync(before.Cursor, accepted, earlier, denied, invalid, conflicting, foreign, tooLarge);

        Assert.Equal(
            [
                (accepted.Uuid, PushStatuses.Accepted, null),
                (earlier.Uuid, PushStatuses.Duplicate, null),
                (denied.Uuid, PushStatuses.Rejected, RejectionReasons.AclDenied),
                (invalid.Uuid, PushStatuses.Rejected, RejectionReasons.InvalidField),
                (conflicting.Uuid, PushStatuses.Rejected, RejectionReasons.UuidConflict),
                (foreign.Uuid, PushStatuses.Rejected, RejectionReasons.UserMismatch),
                (tooLarge.Uuid, PushStatuses.Rejected, RejectionReasons.PayloadTooLarge),
            ],
            answer.Results!.Select(r => (r.Uuid, r.Status, r.Reason)).ToArray<(string?, string, string?)>());
        Assert.All(answer.Results!.Where(r => r.Reason is not null), r => Assert.False(string.IsNullOrWhiteSpace(r.Detail)));
        Assert.Equal([accepted], answer.Events);
        Assert.Equal(2, answer.Cursor);
    }

    [Fact]
    public async Task An_event_that_arrives_late_with_an_old_timestamp_reaches_cursor_readers()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, online) = await server.NewUserAsync("alice");
        var (bob, offline) = await server.NewUserAsync("bob");
        var recent = await online.SyncAsync(0, TestEvents.New(alice, timestamp: 2_000_000));

        // Bob recorded this days ago while offline and pushes it only now.
        var old = TestEvents.New(bob, timestamp: 1_000);
        await offline.SyncAsync(0, old);

        var next = await online.PullAsync(recent.Cursor);
        Assert.Equal([old], next.Events);
        // The seed's timestamp pull from the newest timestamp the reader had seen misses it.
        Assert.DoesNotContain(old, await online.GetHistoryAsync("?fromTimestamp=2000000"));
    }

    [Fact]
    public async Task Retrying_a_push_whose_answer_was_lost_reports_duplicates_and_stores_nothing_twice()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var events = new[] { TestEvents.New(alice), TestEvents.New(alice) };
        await client.SyncAsync(0, events);

        // The client never saw that answer, so it retries from its old cursor.
        var retry = await client.SyncAsync(0, events);

        Assert.All(retry.Results!, r => Assert.Equal(PushStatuses.Duplicate, r.Status));
        Assert.Equal(events, retry.Events);
        Assert.Equal(2, retry.Cursor);
        Assert.Equal(2, (await client.GetHistoryAsync()).Count);
    }

    [Fact]
    public async Task A_retry_after_the_ACL_changed_reports_the_stored_event_as_duplicate()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var e = TestEvents.New(alice);
        await client.SyncAsync(0, e);
        await server.SetAclAsync(new AclRule("*", "*", "*", false));

        var retry = await client.SyncAsync(0, e, e with { Uuid = Guid.CreateVersion7().ToString() });

        Assert.Equal([PushStatuses.Duplicate, PushStatuses.Rejected], retry.Results!.Select(r => r.Status));
        Assert.Equal(RejectionReasons.AclDenied, retry.Results![1].Reason);
        Assert.Equal([e], retry.Events);
    }

    [Fact]
    public async Task Every_answer_carries_the_same_epoch_of_the_store()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");

        var pushed = await client.SyncAsync(0, TestEvents.New(alice));
        var pulled = await client.PullAsync(0);

        Assert.Matches("^[0-9a-f]{32}$", pushed.Epoch);
        Assert.Equal(pushed.Epoch, pulled.Epoch);
    }

    [Theory]
    [InlineData("?cursor=-1")]
    [InlineData("?cursor=abc")]
    [InlineData("?cursor=1&cursor=2")]
    [InlineData("?limit=0")]
    [InlineData("?limit=10001")]
    [InlineData("?limit=ten")]
    public async Task A_bad_cursor_or_limit_is_400(string query)
    {
        await using var server = await LiveServer.StartAsync();
        var (_, client) = await server.NewUserAsync("alice");

        using var response = await client.GetAsync($"/sync{query}", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"events\":[]}")]
    [InlineData("{\"cursor\":-1,\"events\":[]}")]
    [InlineData("{\"cursor\":\"0\",\"events\":[]}")]
    [InlineData("{\"cursor\":0,\"events\":{}}")]
    [InlineData("{\"cursor\":0,\"events\":[],\"extra\":1}")]
    [InlineData("{\"cursor\":0,\"cursor\":0,\"events\":[]}")]
    [InlineData("{\"cursor\":0,\"events\":[]} trailing")]
    [InlineData("not json")]
    public async Task A_malformed_sync_request_is_400_and_stores_nothing(string body)
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        // A valid event inside a request that is malformed as a whole must not be stored.
        var json = body.Replace("\"events\":[]", $"\"events\":{TestEvents.ToJson([TestEvents.New(alice)])}", StringComparison.Ordinal);

        using var response = await client.PostAsync("/sync", TestEvents.Content(json), TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.Empty((await client.PullAsync(0)).Events);
    }

    [Fact]
    public async Task A_push_of_more_events_than_the_limit_is_413_and_stores_nothing()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Limits = o.Limits with { MaxEventsPerPush = 3 } });
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var events = Enumerable.Range(0, 4).Select(_ => TestEvents.New(alice));

        using var response = await client.PostAsync("/sync", TestEvents.Content(SyncApi.Body(0, events)), TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
        Assert.Empty((await client.PullAsync(0)).Events);
    }

    [Fact]
    public async Task Sync_needs_a_token()
    {
        await using var server = await LiveServer.StartAsync();

        using var pull = await server.Anonymous.GetAsync("/sync?cursor=0", TestContext.Current.CancellationToken);
        using var push = await server.Anonymous.PostAsync("/sync", TestEvents.Content("{\"cursor\":0,\"events\":[]}"), TestContext.Current.CancellationToken);

        await pull.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        await push.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
    }
}
