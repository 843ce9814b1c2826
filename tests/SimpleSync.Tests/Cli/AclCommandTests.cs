using System.Net.Http.Json;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>acl show, acl set and acl explain, offline and next to a running server.</summary>
public sealed class AclCommandTests
{
    private static readonly AclRule[] Rules =
    [
        new("user-alice", "task-*", "*", true),
        new("*", "secret", "read", false),
        new("*", "*", "comment", true),
    ];

    private static string Document(params AclRule[] rules) =>
        JsonSerializer.Serialize(new AclDocument(rules), ProtocolJsonContext.Default.AclDocument);

    private static async Task<List<AclRule>> ShowAsync(CliWorkspace workspace)
    {
        var result = await workspace.RunAsync("acl", "show");
        Assert.True(result.ExitCode == 0, result.ToString());
        var document = JsonSerializer.Deserialize(result.Stdout, ProtocolJsonContext.Default.AclDocument)!;
        return [.. document.Rules];
    }

    [Fact]
    public async Task Acl_set_then_acl_show_round_trips_the_rules_in_order()
    {
        using var workspace = new CliWorkspace();

        var fromFile = await workspace.RunAsync("acl", "set", workspace.Write("acl.json", Document(Rules)));

        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.Equal(Rules, await ShowAsync(workspace));

        var fromStdin = await workspace.RunAsync(["acl", "set", "-"], Document(Rules[1]));

        Assert.True(fromStdin.ExitCode == 0, fromStdin.ToString());
        Assert.Equal([Rules[1]], await ShowAsync(workspace));
    }

    public static TheoryData<string, string, string[]> InvalidAcls => new()
    {
        { "a star inside an item pattern", """{"rules": [{"user": "*", "item": "*", "action": "*", "allow": true}, {"user": "*", "item": "ta*sk", "action": "*", "allow": true}]}""", ["rules[1].item"] },
        { "a missing allow", """{"rules": [{"user": "*", "item": "*", "action": "*"}]}""", ["rules[0].allow"] },
        { "an unknown rule field", """{"rules": [{"user": "*", "item": "*", "action": "*", "allow": true, "why": "x"}]}""", ["rules[0].why"] },
        { "an empty user", """{"rules": [{"user": "", "item": "*", "action": "*", "allow": true}]}""", ["rules[0].user"] },
        { "allow as a string", """{"rules": [{"user": "*", "item": "*", "action": "*", "allow": "yes"}]}""", ["rules[0].allow"] },
        { "several bad rules", """{"rules": [{"user": 1, "item": "*", "action": "*", "allow": true}, {"user": "*", "item": "*", "action": "a*", "allow": true}]}""", ["rules[0].user", "rules[1].action"] },
        { "no rules array", """{"rule": []}""", ["rules"] },
        { "not JSON", """{"rules": [""", ["not valid JSON"] },
    };

    [Theory]
    [MemberData(nameof(InvalidAcls))]
    public async Task An_invalid_ACL_file_exits_1_naming_the_rule_and_field_and_changes_nothing(string what, string json, string[] named)
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", workspace.Write("good.json", Document(Rules))]);
        var file = workspace.Write("bad.json", json);

        var result = await workspace.RunAsync("acl", "set", file);

        Assert.True(result.ExitCode == 1, $"{what}: {result}");
        var line = result.SingleErrorLine;
        Assert.Contains(file, line);
        foreach (var part in named)
            Assert.Contains(part, line);
        Assert.Equal(Rules, await ShowAsync(workspace));
    }

    [Fact]
    public async Task Acl_set_of_a_missing_file_exits_1_and_changes_nothing()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", workspace.Write("good.json", Document(Rules))]);

        var result = await workspace.RunAsync("acl", "set", "no-such.json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-such.json", result.SingleErrorLine);
        Assert.Equal(Rules, await ShowAsync(workspace));
    }

    [Fact]
    public async Task Acl_set_while_the_server_runs_applies_to_its_next_push()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        var adminUuid = await admin.AdminUuidAsync();
        var allowTasks = workspace.Write("allow.json", Document(new AclRule(adminUuid, "task-*", "*", true)));
        var denyAll = workspace.Write("deny.json", Document());

        Assert.Equal(1, await RejectedAsync(admin, TestEvents.New(adminUuid, "task-1")));
        await workspace.RunOkAsync(["acl", "set", allowTasks]);
        Assert.Equal(0, await RejectedAsync(admin, TestEvents.New(adminUuid, "task-2")));
        Assert.Equal(1, await RejectedAsync(admin, TestEvents.New(adminUuid, "note-1")));
        await workspace.RunOkAsync(["acl", "set", denyAll]);
        Assert.Equal(1, await RejectedAsync(admin, TestEvents.New(adminUuid, "task-3")));

        var history = await admin.GetFromJsonAsync<List<AclChange>>("/acl/history", TestContext.Current.CancellationToken);
        Assert.Equal(["cli", "cli"], history!.Select(c => c.ChangedBy));
    }

    public static TheoryData<string[], string[]> Explanations => new()
    {
        {
            ["user-alice", "task-1", "create"],
            ["allow", """rule 0 (user "user-alice", item "task-*", action "*") is the first that matches: allow""", "ACL version 1"]
        },
        {
            ["user-alice", "secret", "read"],
            [
                "deny",
                """rule 1 (user "*", item "secret", action "read") is the first that matches: deny""",
                """  rule 0 (user "user-alice", item "task-*", action "*") does not match: item""",
                "ACL version 1",
            ]
        },
        {
            ["user-bob", "note-1", "create"],
            [
                "deny",
                "none of the ACL's 3 rules matches, so the default applies: deny",
                """  rule 0 (user "user-alice", item "task-*", action "*") does not match: user, item""",
                """  rule 1 (user "*", item "secret", action "read") does not match: item, action""",
                """  rule 2 (user "*", item "*", action "comment") does not match: action""",
                "ACL version 1",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Explanations))]
    public async Task Acl_explain_prints_the_decision_the_reason_and_each_rule_passed_over(string[] args, string[] lines)
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", workspace.Write("acl.json", Document(Rules))]);

        var result = await workspace.RunAsync(["acl", "explain", .. args]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(lines, result.StdoutLines);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Acl_explain_says_what_the_running_server_says_and_both_agree_with_a_push()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        var adminUuid = await admin.AdminUuidAsync();
        await workspace.RunOkAsync(["acl", "set", workspace.Write("acl.json",
            Document(new AclRule("*", "task-secret", "*", false), new AclRule(adminUuid, "task-*", "*", true)))]);

        foreach (var item in new[] { "task-1", "task-secret", "note-1" })
        {
            var cli = await workspace.RunOkAsync(["acl", "explain", adminUuid, item, "create"]);
            var query = $"/acl/explain?user={Uri.EscapeDataString(adminUuid)}&item={item}&action=create";
            var answer = await admin.GetFromJsonAsync(query, ProtocolJsonContext.Default.AclExplanation, TestContext.Current.CancellationToken);

            Assert.Equal([answer!.Allow ? "allow" : "deny", answer.Reason], cli.StdoutLines.Take(2));
            Assert.Equal(answer.Allow ? 0 : 1, await RejectedAsync(admin, TestEvents.New(adminUuid, item)));
        }
    }

    public static TheoryData<string[], string> BadExplainArguments => new()
    {
        { ["u-1", "task-1"], "expected" },
        { ["u-1", "task-1", "create", "more"], "expected" },
        { ["", "task-1", "create"], "empty" },
        { ["u-1", new string('i', EventRules.MaxItemUuidLength + 1), "create"], "ITEM must be at most 256 characters" },
        { ["u-1", "task-1", "cre\tate"], "ACTION must not contain control characters" },
        { ["u-1", "task-1", "--force"], "unknown option --force" },
    };

    [Theory]
    [MemberData(nameof(BadExplainArguments))]
    public async Task Acl_explain_with_bad_arguments_exits_2_with_one_line_saying_what_is_wrong(string[] args, string expected)
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", workspace.Write("acl.json", Document(Rules))]);

        var result = await workspace.RunAsync(["acl", "explain", .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.SingleErrorLine);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Acl_explain_before_any_store_exists_exits_1_and_creates_none()
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync("acl", "explain", "u-1", "task-1", "create");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("simple-sync acl explain", result.SingleErrorLine);
        Assert.False(File.Exists(workspace.DatabaseFile));
    }

    private static async Task<int> RejectedAsync(HttpClient client, Event e)
    {
        using var response = await client.PushAsync(e);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return int.Parse(response.Headers.GetValues("Sync-Rejected").Single());
    }
}
