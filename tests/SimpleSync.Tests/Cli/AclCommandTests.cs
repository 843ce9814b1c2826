using System.Net.Http.Json;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>acl show and acl set, offline and next to a running server.</summary>
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

    private static async Task<int> RejectedAsync(HttpClient client, Event e)
    {
        using var response = await client.PushAsync(e);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return int.Parse(response.Headers.GetValues("Sync-Rejected").Single());
    }
}
