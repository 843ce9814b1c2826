using System.Net;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>GET /acl/explain: which rule decides a push of a user, item and action, and why, as pushes are decided.</summary>
public sealed class AclExplainTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Query(string user, string item, string action) =>
        $"/acl/explain?user={Uri.EscapeDataString(user)}&item={Uri.EscapeDataString(item)}&action={Uri.EscapeDataString(action)}";

    /// <summary>The answer, read strictly with the protocol's metadata: a member more or less than the type has fails.</summary>
    private async Task<AclExplanation> ExplainAsync(string user, string item, string action)
    {
        using var response = await shared.Admin.GetAsync(Query(user, item, action), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.AclExplanation)!;
    }

    private async Task<long> SetAclAsync(params AclRule[] rules)
    {
        await shared.Server.SetAclAsync(rules);
        return (await shared.Admin.GetAclHistoryAsync())[^1].Version;
    }

    [Fact]
    public async Task A_later_rule_decides_and_each_rule_before_it_names_the_fields_it_does_not_match()
    {
        var version = await SetAclAsync(
            new AclRule("user-bob", "*", "*", true),
            new AclRule("*", "note-*", "*", false),
            new AclRule("user-bob", "task-*", "delete", false),
            new AclRule("*", "task-*", "*", true));

        var answer = await ExplainAsync(shared.AliceUuid, "task-1", "create");

        Assert.True(answer.Allow);
        Assert.Equal(3, answer.Rule);
        Assert.Equal(new AclRule("*", "task-*", "*", true), answer.Matched);
        Assert.Equal(version, answer.AclVersion);
        Assert.Equal("""rule 3 (user "*", item "task-*", action "*") is the first that matches: allow""", answer.Reason);
        Assert.Equal(
            [(0, "user"), (1, "item"), (2, "user,action")],
            answer.Skipped.Select(s => (s.Rule, string.Join(',', s.Failed))));
    }

    [Fact]
    public async Task A_deny_rule_that_matches_first_denies_though_an_allow_rule_after_it_matches_too()
    {
        await SetAclAsync(new AclRule("*", "task-secret", "*", false), new AclRule("*", "task-*", "*", true));

        var answer = await ExplainAsync(shared.AliceUuid, "task-secret", "create");

        Assert.False(answer.Allow);
        Assert.Equal(0, answer.Rule);
        Assert.Equal(new AclRule("*", "task-secret", "*", false), answer.Matched);
        Assert.Equal("""rule 0 (user "*", item "task-secret", action "*") is the first that matches: deny""", answer.Reason);
        Assert.Empty(answer.Skipped);
    }

    public static TheoryData<string, string> NoMatch => new()
    {
        { "", "the ACL has no rules, so the default applies: deny" },
        { "user-bob * * allow", "the ACL's one rule does not match, so the default applies: deny" },
        { "user-bob * * allow, * * update allow, * note-* create allow", "none of the ACL's 3 rules matches, so the default applies: deny" },
    };

    [Theory]
    [MemberData(nameof(NoMatch))]
    public async Task When_no_rule_matches_the_default_denies_and_every_rule_is_listed(string rules, string reason)
    {
        var parsed = AclTests.ParseRules(rules, shared.AdminUuid);
        var version = await SetAclAsync(parsed);

        var answer = await ExplainAsync(shared.AliceUuid, "task-1", "create");

        Assert.False(answer.Allow);
        Assert.Null(answer.Rule);
        Assert.Null(answer.Matched);
        Assert.Equal(version, answer.AclVersion);
        Assert.Equal(reason, answer.Reason);
        Assert.Equal(Enumerable.Range(0, parsed.Length), answer.Skipped.Select(s => s.Rule));
        Assert.All(answer.Skipped, s => Assert.NotEmpty(s.Failed));
    }

    [Theory]
    [MemberData(nameof(AclTests.Decisions), MemberType = typeof(AclTests))]
    public async Task The_explained_decision_is_the_one_a_real_push_of_that_event_gets(
        string rules, string pusher, string item, string action, bool stored)
    {
        await shared.Server.SetAclAsync(AclTests.ParseRules(rules, shared.AdminUuid));
        var (client, uuid) = pusher == "admin" ? (shared.Admin, shared.AdminUuid) : (shared.Alice, shared.AliceUuid);

        var answer = await ExplainAsync(uuid, item, action);
        var result = Assert.Single((await client.SyncAsync(0, TestEvents.New(uuid, item, action))).Results!);

        Assert.Equal(answer.Allow ? (PushStatuses.Accepted, null) : (PushStatuses.Rejected, RejectionReasons.AclDenied),
            (result.Status, result.Reason));
        Assert.Equal(stored, answer.Allow);
    }

    [Fact]
    public async Task A_quote_or_backslash_in_a_pattern_is_escaped_in_the_reason()
    {
        await SetAclAsync(new AclRule("*", "say \"hi\\\"*", "*", true));

        var answer = await ExplainAsync(shared.AliceUuid, "say \"hi\\\" again", "create");

        Assert.Equal("""rule 0 (user "*", item "say \"hi\\\"*", action "*") is the first that matches: allow""", answer.Reason);
    }

    public static TheoryData<string, string[]> BadQueries => new()
    {
        { "", ["user", "item", "action"] },
        { "item=i&action=a", ["user"] },
        { "user=u&action=a", ["item"] },
        { "user=u&item=i", ["action"] },
        { "user=&item=i&action=a", ["user"] },
        { "user=u&item=i&action=", ["action"] },
        { "user=u&user=v&item=i&action=a", ["user"] },
        { "user=u&item=i&item=j&action=a&action=b", ["item", "action"] },
        { $"user={new string('u', EventRules.MaxUserUuidLength + 1)}&item=i&action=a", ["user"] },
        { $"user=u&item={new string('i', EventRules.MaxItemUuidLength + 1)}&action=a", ["item"] },
        { $"user=u&item=i&action={new string('a', EventRules.MaxActionLength + 1)}", ["action"] },
        { "user=u%00&item=i%0A&action=a", ["user", "item"] },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_missing_repeated_empty_too_long_or_control_character_value_is_400_invalid_naming_each_one(string query, string[] named)
    {
        using var response = await shared.Admin.GetAsync("/acl/explain?" + query, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.Equal(named, problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.All(named, name => Assert.Contains(name, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Values_as_long_as_the_event_fields_allow_are_explained()
    {
        await SetAclAsync(new AclRule("*", "*", "*", true));
        var (user, item, action) = ("\u00fc" + new string('u', EventRules.MaxUserUuidLength - 1),
            "\U0001F600" + new string('i', EventRules.MaxItemUuidLength - 1), new string('a', EventRules.MaxActionLength));

        var answer = await ExplainAsync(user, item, action);

        Assert.True(answer.Allow);
        Assert.Equal(0, answer.Rule);
    }
}
