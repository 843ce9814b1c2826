using System.Net;
using SimpleSync.Client.Tests.Support;
using SimpleSync.Protocol;

namespace SimpleSync.Client.Tests;

public sealed class SyncTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_recorded_while_the_server_is_down_are_kept_across_a_restart_of_the_app_and_synced_later_exactly_once()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        var storePath = Path.Combine(server.DataDirectory, "alice-device.db");
        var client = await server.NewClientAsync("alice", storePath);
        client.Record("task-1", "create", """{"title":"online"}""");
        await client.SyncAsync(Ct);

        await server.StopAsync();
        var offline = new[]
        {
            client.Record("task-2", "create", """{"title":"offline 1"}"""),
            client.Record("task-1", "update", """{"done":true}"""),
        };
        var failure = await Assert.ThrowsAsync<SyncException>(() => client.SyncAsync(Ct));
        Assert.Equal(ClientErrorCodes.Network, failure.Code);
        Assert.True(failure.IsTransient);
        Assert.Equal(failure, client.Status().LastError);
        // The app closes and opens again, still offline.
        client.Dispose();
        client = new SyncClient(server.NewClient(), storePath);
        offline = [.. offline, client.Record("task-3", "create", """{"title":"offline 2"}""")];
        Assert.Equal(offline, client.PendingEvents());
        Assert.Equal(3, client.Status().PendingCount);

        await server.StartAgainAsync();
        var result = await client.SyncAsync(Ct);
        Assert.Equal(offline, result.Accepted);
        Assert.Empty(result.Duplicates);
        Assert.Empty(result.Rejected);
        Assert.Equal(0, client.Status().PendingCount);
        Assert.Null(client.Status().LastError);
        Assert.NotNull(client.Status().LastSync);

        var again = await client.SyncAsync(Ct);
        Assert.Empty(again.Accepted);
        Assert.Equal(0, again.Pulled);
        var history = await server.HistoryAsync();
        Assert.Equal(4, history.Count);
        Assert.Equal(history, client.Events());
        client.Dispose();
    }

    [Fact]
    public async Task A_push_whose_answer_is_lost_is_reported_as_duplicate_on_the_next_sync_and_stored_once()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        await server.CreateUserAsync("alice");
        var network = new FaultyNetwork();
        using var client = await server.NewClientAsync("alice", handler: network);
        var recorded = new[] { client.Record("task-1", "create", "{}"), client.Record("task-2", "create", "{}") };

        network.LoseAnswers(1);
        var failure = await Assert.ThrowsAsync<SyncException>(() => client.SyncAsync(Ct));
        Assert.Equal(ClientErrorCodes.Network, failure.Code);
        Assert.Equal(recorded, client.PendingEvents());
        Assert.Equal(recorded.OrderBy(e => e, Event.HistoryOrder), await server.HistoryAsync());

        var result = await client.SyncAsync(Ct);
        Assert.Empty(result.Accepted);
        Assert.Equal(recorded, result.Duplicates);
        Assert.Empty(client.PendingEvents());
        var history = await server.HistoryAsync();
        Assert.Equal(2, history.Count);
        Assert.Equal(history, client.Events());
    }

    [Fact]
    public async Task An_event_the_ACL_denies_comes_back_with_its_reason_and_leaves_pending()
    {
        await using var server = await SdkServer.StartAsync();
        await server.SetAclAsync(new AclRule("*", "task-*", "*", true));
        await server.CreateUserAsync("alice");
        using var client = await server.NewClientAsync("alice");
        var allowed = client.Record("task-1", "create", "{}");
        var denied = client.Record("secret-1", "create", "{}");

        var result = await client.SyncAsync(Ct);

        Assert.Equal([allowed], result.Accepted);
        var rejection = Assert.Single(result.Rejected);
        Assert.Equal(denied, rejection.Event);
        Assert.Equal(RejectionReasons.AclDenied, rejection.Reason);
        Assert.Contains("secret-1", rejection.Detail);
        Assert.Empty(client.PendingEvents());
        Assert.Equal([allowed], client.Events());
        Assert.Equal([allowed], await server.HistoryAsync());
    }

    [Fact]
    public async Task A_401_asks_for_a_new_login_and_keeps_the_pending_events()
    {
        await using var server = await SdkServer.StartAsync();
        await server.AllowAllAsync();
        var uuid = await server.CreateUserAsync("alice");
        using var client = await server.NewClientAsync("alice");
        var recorded = client.Record("task-1", "create", "{}");
        // A new password ends every token issued before it.
        var admin = await server.AdminAsync();
        using (var change = await admin.PutAsync($"/admin/users/{uuid}",
            TestContent.Json("""{"new_password":"a-brand-new-password"}"""), Ct))
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

        var failure = await Assert.ThrowsAsync<SyncException>(() => client.SyncAsync(Ct));

        Assert.True(failure.IsLoginRequired);
        Assert.Equal(ClientErrorCodes.LoginRequired, failure.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.False(failure.IsTransient);
        Assert.False(client.Status().IsLoggedIn);
        Assert.Equal([recorded], client.PendingEvents());
        var stillRecording = client.Record("task-2", "create", "{}");

        await client.LoginAsync("alice", "a-brand-new-password", Ct);
        var result = await client.SyncAsync(Ct);
        Assert.Equal([recorded, stillRecording], result.Accepted);
        Assert.Equal(await server.HistoryAsync(), client.Events());
    }

    [Fact]
    public async Task Wrong_credentials_are_unauthenticated_and_nothing_is_stored()
    {
        await using var server = await SdkServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var client = new SyncClient(server.NewClient(), null);

        var failure = await Assert.ThrowsAsync<SyncException>(() => client.LoginAsync("alice", "not-the-password", Ct));

        Assert.Equal(ErrorCodes.Unauthenticated, failure.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.Null(client.UserUuid());
        Assert.Equal(ClientErrorCodes.LoginRequired, Assert.Throws<SyncException>(() => client.Record("task-1", "create", "{}")).Code);
    }
}
