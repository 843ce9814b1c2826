using System.Net;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// A uuid identifies one event in any letter case, and a push may name a uuid more than once:
/// the answer is a duplicate or a conflict, never a second event and never a server error.
/// </summary>
public sealed class EventIdentityTests
{
    private static Event Upper(Event e) => e with { Uuid = e.Uuid.ToUpperInvariant() };

    [Fact]
    public async Task The_same_uuid_in_upper_and_lower_case_in_one_push_is_stored_once()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var e = TestEvents.New(alice);

        var answer = await client.SyncAsync(0, e, Upper(e), Upper(e) with { Payload = "{\"other\":1}" });

        Assert.Equal(
            [(e.Uuid, PushStatuses.Accepted, null), (Upper(e).Uuid, PushStatuses.Duplicate, null), (Upper(e).Uuid, PushStatuses.Rejected, RejectionReasons.UuidConflict)],
            answer.Results!.Select(r => (r.Uuid, r.Status, r.Reason)));
        Assert.Equal([e], answer.Events);
        Assert.Equal([e], await client.GetHistoryAsync());
    }

    [Fact]
    public async Task A_later_push_of_another_spelling_is_a_duplicate_or_a_conflict()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var e = Upper(TestEvents.New(alice));
        await client.SyncAsync(0, e);
        var lower = e with { Uuid = e.Uuid.ToLowerInvariant() };

        using var seed = await client.PushAsync(lower, lower with { Action = "rename" });

        Assert.Equal("1", Assert.Single(seed.Headers.GetValues("Sync-Rejected")));
        Assert.Equal([e], await seed.ReadEventsAsync());
    }

    [Fact]
    public async Task A_push_that_repeats_a_stored_event_the_ACL_now_denies_is_all_duplicates_not_a_server_error()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var e = TestEvents.New(alice);
        await client.SyncAsync(0, e);
        await server.SetAclAsync();

        var answer = await client.SyncAsync(0, e, e, Upper(e), e);

        Assert.All(answer.Results!, r => Assert.Equal(PushStatuses.Duplicate, r.Status));
        Assert.Equal([e.Uuid, e.Uuid, Upper(e).Uuid, e.Uuid], answer.Results!.Select(r => r.Uuid));
        using var seed = await client.PushAsync(e, Upper(e), e);
        Assert.Equal(HttpStatusCode.OK, seed.StatusCode);
        Assert.Equal("0", Assert.Single(seed.Headers.GetValues("Sync-Rejected")));
    }

    [Fact]
    public async Task A_repeated_uuid_the_ACL_denies_and_the_store_lacks_is_rejected_each_time()
    {
        await using var server = await LiveServer.StartAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var e = TestEvents.New(alice);

        var answer = await client.SyncAsync(0, e, Upper(e), e);

        Assert.All(answer.Results!, r => Assert.Equal(RejectionReasons.AclDenied, r.Reason));
        Assert.Empty(await client.GetHistoryAsync());
    }
}
