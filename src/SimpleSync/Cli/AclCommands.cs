using System.Text.Json;
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
}
