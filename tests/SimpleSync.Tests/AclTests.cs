using System.Net;
using System.Text.Json.Nodes;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>The ACL as pushes see it: first match decides, no match denies, admins included.</summary>
public sealed class AclTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Fact]
    public async Task A_new_server_has_an_empty_acl_that_denies_every_push_including_the_admins()
    {
        await using var server = await LiveServer.StartAsync();
        var admin = await server.AdminAsync();
        var adminUuid = Jwt.Payload(admin.DefaultRequestHeaders.Authorization!.Parameter!)["sub"]!.GetValue<string>();
        var (alice, client) = await server.NewUserAsync("alice");

        Assert.Equal("""{"rules":[]}""", await admin.GetAclJsonAsync());
        Assert.Empty(await admin.GetAclHistoryAsync());
        using var byAlice = await client.PushAsync(TestEvents.New(alice));
        using var byAdmin = await admin.PushAsync(TestEvents.New(adminUuid));

        Assert.Empty(await byAlice.ReadEventsAsync());
        Assert.Equal("1", byAlice.Headers.GetValues("Sync-Rejected").Single());
        Assert.Empty(await byAdmin.ReadEventsAsync());
        Assert.Equal("1", byAdmin.Headers.GetValues("Sync-Rejected").Single());
        Assert.Empty(await admin.GetHistoryAsync());
    }

    [Fact]
    public async Task An_acl_set_to_no_rules_denies_every_push()
    {
        await shared.Server.AllowAllAsync();
        await shared.Server.SetAclAsync();
        var e = TestEvents.New(shared.AliceUuid);

        using var response = await shared.Alice.PushAsync(e);

        Assert.DoesNotContain(e, await response.ReadEventsAsync());
        Assert.Equal("1", response.Headers.GetValues("Sync-Rejected").Single());
        Assert.Equal("""{"rules":[]}""", await shared.Admin.GetAclJsonAsync());
    }

    [Fact]
    public async Task An_acl_reads_back_exactly_as_it_was_put()
    {
        var acl = $$"""
            {"rules":[
              {"user":"*","item":"item123","action":"view","allow":true},
              {"user":"user456","item":"*","action":"edit","allow":true},
              {"user":"user-alice","item":"task-*","action":"*","allow":false},
              {"user":"\u00fcser \u2603","item":"{{new string('i', 256)}}","action":"{{new string('a', 128)}}","allow":true},
              {"user":"*","item":"*","action":"*","allow":false}
            ]}
            """;

        using var put = await shared.Admin.SendJsonAsync(HttpMethod.Put, "/acl", acl);

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(acl), JsonNode.Parse(await shared.Admin.GetAclJsonAsync())));
    }

    /// <summary>
    /// Rules are "user item action allow|deny" separated by ", "; "$admin" stands for the admin's uuid.
    /// Each row: the ACL, who pushes, the event's item and action, and whether it is stored.
    /// </summary>
    public static TheoryData<string, string, string, string, bool> Decisions() => new()
    {
        { "* * * allow", "alice", "task-1", "create", true },
        { "", "alice", "task-1", "create", false },
        { "", "admin", "task-1", "create", false },
        { "user-alice * * allow", "admin", "task-1", "create", false },
        { "$admin * * deny, * * * allow", "admin", "task-1", "create", false },
        { "$admin * * deny, * * * allow", "alice", "task-1", "create", true },
        // Exact item match.
        { "* task-1 * allow", "alice", "task-1", "create", true },
        { "* task-1 * allow", "alice", "task-10", "create", false },
        { "* task-1 * allow", "alice", "task-", "create", false },
        { "* task-1 * allow", "alice", "TASK-1", "create", false },
        // Prefix patterns.
        { "* task-* * allow", "alice", "task-1", "create", true },
        { "* task-* * allow", "alice", "task-", "create", true },
        { "* task-* * allow", "alice", "task-1/sub:*", "create", true },
        { "* task-* * allow", "alice", "tas", "create", false },
        { "* task-* * allow", "alice", "task", "create", false },
        { "* task-* * allow", "alice", "xtask-1", "create", false },
        { "* task-* * allow", "alice", "Task-1", "create", false },
        // Wildcard and exact user.
        { "user-alice * * allow", "alice", "note-1", "create", true },
        { "user-bob * * allow", "alice", "note-1", "create", false },
        { "USER-ALICE * * allow", "alice", "note-1", "create", false },
        // Wildcard and exact action.
        { "* * create allow", "alice", "note-1", "create", true },
        { "* * create allow", "alice", "note-1", "update", false },
        { "* * create allow", "alice", "note-1", "Create", false },
        { "* * create allow", "alice", "note-1", "create2", false },
        { "* note-1 * allow", "alice", "note-1", "archive", true },
        // User, item and action must all match.
        { "user-alice task-1 create allow", "alice", "task-1", "create", true },
        { "user-alice task-1 create allow", "alice", "task-1", "update", false },
        { "user-alice task-1 create allow", "alice", "task-2", "create", false },
        { "user-alice task-1 create allow", "admin", "task-1", "create", false },
        // The first matching rule decides.
        { "user-alice task-* * deny, * * * allow", "alice", "task-1", "create", false },
        { "user-alice task-* * deny, * * * allow", "alice", "note-1", "create", true },
        { "* * * allow, user-alice task-* * deny", "alice", "task-1", "create", true },
        { "* task-secret * deny, * task-* * allow", "alice", "task-secret", "create", false },
        { "* task-secret * deny, * task-* * allow", "alice", "task-public", "create", true },
        { "* * delete deny, * * * allow", "alice", "task-1", "delete", false },
        { "* * delete deny, * * * allow", "alice", "task-1", "create", true },
        { "user-bob * * deny, * * * allow", "alice", "task-1", "create", true },
        { "* note-* * allow, * * * deny", "alice", "task-1", "create", false },
        // No rule matches.
        { "* note-* * allow", "alice", "task-1", "create", false },
        { "user-bob * * allow, * * update allow", "alice", "task-1", "create", false },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public async Task A_pushed_event_is_stored_only_when_the_first_matching_rule_allows_it(
        string rules, string pusher, string item, string action, bool stored)
    {
        await shared.Server.SetAclAsync(ParseRules(rules, shared.AdminUuid));
        var (client, uuid) = pusher == "admin" ? (shared.Admin, shared.AdminUuid) : (shared.Alice, shared.AliceUuid);
        var e = TestEvents.New(uuid, item, action);

        using var response = await client.PushAsync(e);

        Assert.Equal(stored, (await response.ReadEventsAsync()).Contains(e));
        Assert.Equal(stored ? "0" : "1", response.Headers.GetValues("Sync-Rejected").Single());
        Assert.Equal(stored, (await shared.Alice.GetHistoryAsync()).Contains(e));
    }

    [Fact]
    public async Task An_acl_change_applies_to_the_next_push()
    {
        var allow = new AclRule(shared.AliceUuid, "*", "*", true);
        var deny = new AclRule(shared.AliceUuid, "*", "*", false);
        var events = new List<Event>();
        foreach (var rule in new[] { allow, deny, allow })
        {
            await shared.Server.SetAclAsync(rule);
            var e = TestEvents.New(shared.AliceUuid);
            events.Add(e);
            (await shared.Alice.PushAsync(e)).Dispose();
        }

        var history = await shared.Alice.GetHistoryAsync();

        Assert.Equal([true, false, true], events.Select(history.Contains));
    }

    /// <summary>The rules of a row of <see cref="Decisions"/>; "$admin" becomes <paramref name="adminUuid"/>.</summary>
    internal static AclRule[] ParseRules(string rules, string adminUuid) =>
        rules.Length == 0
            ? []
            : rules.Split(", ").Select(rule => rule.Split(' ') switch
            {
                [var user, var item, var action, var verdict] =>
                    new AclRule(user == "$admin" ? adminUuid : user, item, action, verdict == "allow"),
                _ => throw new ArgumentException($"bad rule '{rule}'", nameof(rules)),
            }).ToArray();
}
