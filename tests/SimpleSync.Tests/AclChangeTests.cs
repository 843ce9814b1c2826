using System.Net;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>PUT /acl refuses invalid documents whole, and every accepted change is recorded.</summary>
public sealed class AclChangeTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly AclRule[] Previous = [new("user-alice", "task-*", "create", true), new("*", "*", "*", false)];

    private const string Valid = """{"user":"*","item":"*","action":"*","allow":true}""";

    public static TheoryData<string, string> InvalidAcls() => new()
    {
        { $$"""{"rules":[{{Valid}},{"user":"*","item":"ta*sk","action":"*","allow":true}]}""", "rules[1].item" },
        { """{"rules":[{"user":"*","item":"*task","action":"*","allow":true}]}""", "rules[0].item" },
        { """{"rules":[{"user":"*","item":"task-**","action":"*","allow":true}]}""", "rules[0].item" },
        { """{"rules":[{"user":"us*","item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":"**","item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":"*","item":"*","action":"cr*","allow":true}]}""", "rules[0].action" },
        { """{"rules":[{"user":"","item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":"*","item":"","action":"*","allow":true}]}""", "rules[0].item" },
        { """{"rules":[{"user":"*","item":"*","action":"","allow":true}]}""", "rules[0].action" },
        { """{"rules":[{"user":"*","item":"task-\u0001","action":"*","allow":true}]}""", "rules[0].item" },
        { $$"""{"rules":[{"user":"*","item":"{{new string('i', 257)}}","action":"*","allow":true}]}""", "rules[0].item" },
        { $$"""{"rules":[{"user":"*","item":"*","action":"{{new string('a', 129)}}","allow":true}]}""", "rules[0].action" },
        { """{"rules":[{"user":"*","item":"*","action":"*","allow":"true"}]}""", "rules[0].allow" },
        { """{"rules":[{"user":"*","item":"*","action":"*","allow":1}]}""", "rules[0].allow" },
        { """{"rules":[{"user":"*","item":"*","action":"*","allow":null}]}""", "rules[0].allow" },
        { """{"rules":[{"user":5,"item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":null,"item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":"*","item":["*"],"action":"*","allow":true}]}""", "rules[0].item" },
        { """{"rules":[{"user":"*","item":"*","action":"*","allow":true,"note":"x"}]}""", "rules[0].note" },
        { """{"rules":[{"user":"*","item":"*","action":"*"}]}""", "rules[0].allow" },
        { """{"rules":[{"item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":"*","user":"user-bob","item":"*","action":"*","allow":true}]}""", "rules[0].user" },
        { """{"rules":[{"user":"*","item":"*","action":"*","allow":false,"allow":true}]}""", "rules[0].allow" },
        { $$"""{"rules":[{{Valid}},{{Valid}},42]}""", "rules[2]" },
        { $$"""{"rules":[{{Valid}}],"version":2}""", "version" },
        { $$"""{"rules":[{{Valid}}],"rules":[]}""", "rules" },
        { """{"rules":{}}""", "rules" },
        { """{"rules":null}""", "rules" },
        { """{"rules":"*"}""", "rules" },
        { "{}", "rules" },
        { $$"""[{{Valid}}]""", "$" },
        { "null", "$" },
        { $$"""{"rules":[{{Valid}}]} {}""", "$" },
        { $$"""{"rules":[{{Valid}}]""", "$" },
        { "rules: []", "$" },
        { "", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidAcls))]
    public async Task An_invalid_acl_is_400_naming_the_rule_and_field_and_the_old_acl_stays(string body, string key)
    {
        await shared.Server.SetAclAsync(Previous);
        var before = await shared.Admin.GetAclJsonAsync();
        var changes = (await shared.Admin.GetAclHistoryAsync()).Count;

        using var response = await shared.Admin.SendJsonAsync(HttpMethod.Put, "/acl", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(key, out _), errors.ToString());
        Assert.Equal(before, await shared.Admin.GetAclJsonAsync());
        Assert.Equal(changes, (await shared.Admin.GetAclHistoryAsync()).Count);
    }

    [Fact]
    public async Task Every_problem_in_an_acl_is_named_at_once()
    {
        const string body = """
            {"rules":[
              {"user":"us*","item":"*","action":"*","allow":true},
              {"user":"*","item":"","action":"*","allow":"yes"},
              {"user":"*","item":"*","action":"*","allow":true,"extra":1}
            ],"other":true}
            """;

        using var response = await shared.Admin.SendJsonAsync(HttpMethod.Put, "/acl", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        var keys = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["other", "rules[0].user", "rules[1].allow", "rules[1].item", "rules[2].extra"], keys);
    }

    [Fact]
    public async Task The_acl_history_records_who_set_which_rules_when_oldest_first()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await LiveServer.StartAsync(o => o with { Auth = o.Auth with { Admins = ["admin", "boss"] } }, time);
        var admin = await server.AdminAsync();
        var (_, boss) = await server.NewUserAsync("boss");
        AclRule[] first = [new("*", "task-*", "*", true)];
        AclRule[] second = [new("user-x", "*", "edit", false), new("*", "*", "*", true)];
        var start = time.GetUtcNow();

        await PutAsync(admin, first);
        time.Advance(TimeSpan.FromMinutes(1));
        await PutAsync(boss, second);
        time.Advance(TimeSpan.FromMinutes(1));
        using (var invalid = await admin.SendJsonAsync(HttpMethod.Put, "/acl", """{"rules":[{"user":"*"}]}"""))
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await PutAsync(admin, []);

        var history = await boss.GetAclHistoryAsync();
        Assert.Equal(["admin", "boss", "admin"], history.Select(h => h.ChangedBy));
        Assert.Equal([start, start.AddMinutes(1), start.AddMinutes(2)], history.Select(h => h.ChangedAt));
        Assert.Equal([first, second, []], history.Select(h => h.Rules.ToArray()));
        Assert.Equal(history.Select(h => h.Version).Order(), history.Select(h => h.Version));
        Assert.Equal(history.Count, history.Select(h => h.Version).Distinct().Count());
    }

    private static async Task PutAsync(HttpClient admin, AclRule[] rules)
    {
        using var response = await admin.PutAsync("/acl", TestEvents.Json(new AclDocument(rules)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
