using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>The offline commands on a PostgreSQL store, its connection string read from <c>storage.postgres_file</c>.</summary>
public sealed class PostgresCliTests : IDisposable
{
    private readonly TestPostgres _database = new();
    private readonly CliWorkspace _workspace;

    public PostgresCliTests() => _workspace = CliWorkspace.OnPostgres(_database);

    public void Dispose()
    {
        _workspace.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Users_the_ACL_import_and_export_work_on_PostgreSQL_and_the_server_sees_what_they_did()
    {
        await _workspace.RunOkAsync(["user", "add", "alice", "--uuid", "user-alice"], "first-password\n");
        await _workspace.RunOkAsync(["user", "add", "bob"], "bob-password-1\n");
        await _workspace.RunOkAsync(["user", "passwd", "alice"], "second-password\n");
        var users = await _workspace.RunOkAsync(["user", "list"]);
        Assert.Contains("alice", users.Stdout, StringComparison.Ordinal);
        Assert.Contains("bob", users.Stdout, StringComparison.Ordinal);

        var rules = new AclDocument([new AclRule("user-alice", "task-*", "*", true)]);
        await _workspace.RunOkAsync(["acl", "set", _workspace.Write("acl.json", JsonSerializer.Serialize(rules, ProtocolJsonContext.Default.AclDocument))]);
        var shown = await _workspace.RunOkAsync(["acl", "show"]);
        Assert.Equal(rules.Rules, JsonSerializer.Deserialize(shown.Stdout, ProtocolJsonContext.Default.AclDocument)!.Rules);

        var events = Enumerable.Range(0, 3).Select(i => TestEvents.New("user-alice", $"task-{i}")).ToList();
        var file = _workspace.Write("history.jsonl", TestEvents.JsonLines(events));
        var first = await _workspace.RunOkAsync(["import", file]);
        var again = await _workspace.RunOkAsync(["import", file]);
        Assert.Contains("imported 3 new events, 0 already present", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("imported 0 new events, 3 already present", again.Stdout, StringComparison.Ordinal);
        var exported = await _workspace.RunOkAsync(["export"]);
        Assert.Equal(TestEvents.JsonLines(events.OrderBy(e => e.Timestamp)), exported.Stdout);

        await using var server = await _workspace.ServeAsync();
        var alice = server.NewClient(await server.LoginAsync("alice", "second-password"));
        Assert.Equal(events, await alice.GetHistoryAsync());
        // The ACL set offline decides pushes: task-* only.
        using var denied = await alice.PushAsync(TestEvents.New("user-alice", "note-1"));
        Assert.Equal("1", denied.Headers.GetValues("Sync-Rejected").Single());
    }

    [Theory]
    [InlineData("Host=db.internal;Password=hunter2-secret;Colour=blue", 2, "storage.postgres_file")]
    [InlineData("Host=127.0.0.1;Port=1;Password=hunter2-secret;Timeout=2", 1, "unavailable")]
    public async Task A_bad_or_unreachable_connection_string_fails_with_one_line_that_never_shows_its_password(
        string connectionString, int exitCode, string named)
    {
        _workspace.Write("postgres.conn", connectionString + "\n");

        var result = await _workspace.RunAsync("user", "list");

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(named, result.SingleErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}
