using System.Text.Json;
using SimpleSync.Acl;
using SimpleSync.Protocol;

namespace SimpleSync.Cli;

internal static class AclCommands
{
    public static IReadOnlyList<CliCommand> Commands { get; } =
    [
        new("acl show", "", "Print the current ACL as JSON.",
            "Prints the ACL in the shape of GET /acl: {\"rules\": [...]}.", 0, 0, [], ShowAsync),
        new("acl set", "FILE", "Replace the ACL with the rules in FILE ('-' for stdin).",
            """
            FILE holds an ACL in the shape of PUT /acl: {"rules": [{"user", "item", "action", "allow"}]}.
            It is validated as a whole first; an invalid file changes nothing. The change is recorded in
            the ACL history as made by "cli". A running server applies it to the next push.
            """,
            1, 1, [], SetAsync),
        new("acl explain", "USER ITEM ACTION", "Say which rule decides an event of USER on ITEM with ACTION, and why.",
            $"""
            Evaluates the ACL in the store as the server does for a push (GET /acl/explain answers the
            same): the first rule that matches the user, item and action decides; no match denies.
            Prints "allow" or "deny", the reason, each rule before the deciding one with the fields it
            does not match, and the ACL version. Exit code 0 for either decision.
            USER, ITEM and ACTION are held to the rules of userUuid, itemUuid and action: 1 to
            {EventRules.MaxUserUuidLength}, {EventRules.MaxItemUuidLength} and {EventRules.MaxActionLength} characters, no control characters. Put "--" before a value
            that starts with "-".
            """,
            3, 3, [], ExplainAsync),
    ];

    private static readonly JsonSerializerOptions Indented = new(ProtocolJsonContext.Default.Options) { WriteIndented = true };

    private static async Task<int> ShowAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        await using var store = await cli.OpenStoreAsync(options, create: false);
        var acl = await store.GetAclAsync(CancellationToken.None);
        cli.Out.WriteLine(JsonSerializer.Serialize(new AclDocument(acl.Rules), Indented.GetTypeInfo(typeof(AclDocument))));
        return CliApp.Ok;
    }

    private static async Task<int> SetAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var file = cli.Args[0];
        var text = file == "-" ? await cli.In.ReadToEndAsync() : await File.ReadAllTextAsync(file);
        var rules = AclParser.Parse(System.Text.Encoding.UTF8.GetBytes(text), out var errors)
            ?? throw new CommandFailedException($"{file}: the ACL is invalid: {string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}"))}");
        await using var store = await cli.OpenStoreAsync(options, create: true);
        var version = await store.ReplaceAclAsync(rules, "cli", TimeProvider.System.GetUtcNow(), CancellationToken.None);
        cli.Out.WriteLine($"set ACL version {version} with {rules.Count} rules");
        return CliApp.Ok;
    }

    private static async Task<int> ExplainAsync(CliContext cli)
    {
        string[] names = ["USER", "ITEM", "ACTION"];
        int[] limits = [EventRules.MaxUserUuidLength, EventRules.MaxItemUuidLength, EventRules.MaxActionLength];
        for (var i = 0; i < names.Length; i++)
        {
            if (EventRules.CheckText(cli.Args[i], limits[i]) is { } problem)
                throw new UsageException($"{cli.Command.Name}: {names[i]} {problem}");
        }
        var options = cli.LoadOptions();
        await using var store = await cli.OpenStoreAsync(options, create: false);
        var acl = await store.GetAclAsync(CancellationToken.None);
        var policy = new AclPolicy(acl.Version, acl.Rules);
        var explanation = AclExplainer.Explain(policy, cli.Args[0], cli.Args[1], cli.Args[2]);
        cli.Out.WriteLine(explanation.Allow ? "allow" : "deny");
        cli.Out.WriteLine(explanation.Reason);
        foreach (var miss in explanation.Skipped)
            cli.Out.WriteLine($"  {AclExplainer.Describe(miss, policy.Rules[miss.Rule])}");
        cli.Out.WriteLine($"ACL version {explanation.AclVersion}");
        return CliApp.Ok;
    }
}
