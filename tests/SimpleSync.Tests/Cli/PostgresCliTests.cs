using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>The offline commands on a PostgreSQL store, its connection string read from <c>storage.postgres_file</c>.</summary>
public sealed class PostgresCliTests : IDisposable
{
    private readonly TestPostgres _database = new();
    private readonly CliWorkspace _workspace = new("""
        [server]
        listen = "http://127.0.0.1:0"
        log_level = "warning"

        [storage]
        provider = "postgres"
        postgres_file = "postgres.conn"
        """);

    public PostgresCliTests() => _workspace.Write("postgres.conn", _database.ConnectionString + "\n");

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
        var file = _workspace.Write("history.jsonl", JsonLines(events));
        var first = await _workspace.RunOkAsync(["import", file]);
        var again = await _workspace.RunOkAsync(["import", file]);
        Assert.Contains("imported 3 new events, 0 already present", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("imported 0 new events, 3 already present", again.Stdout, StringComparison.Ordinal);
        var exported = await _workspace.RunOkAsync(["export"]);
        Assert.Equal(JsonLines(events.OrderBy(e => e.Timestamp)), exported.Stdout);

        await using var server = await _workspace.ServeAsync();
        var alice = server.NewClient(await server.LoginAsync("alice", "second-password"));
        Assert.Equal(events, await alice.GetHistoryAsync());
        // The ACL set offline decides pushes: task-* only.
        using var denied = await alice.PushAsync(TestEvents.New("user-alice", "note-1"));
        Assert.Equal("1", denied.Headers.GetValues("Sync-Rejected").Single());
    }

    [Fact]
    public async Task A_bad_connection_string_is_named_by_its_key_without_its_password()
    {
        _workspace.Write("postgres.conn", "Host=db.internal;Password=hunter2-secret;Colour=blue\n");

        var result = await _workspace.RunAsync("user", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("storage.postgres_file", result.SingleErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_fails_the_command_with_one_line_and_no_password()
    {
        _workspace.Write("postgres.conn", "Host=127.0.0.1;Port=1;Password=hunter2-secret;Timeout=2\n");

        var result = await _workspace.RunAsync("user", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unavailable", result.SingleErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private static string JsonLines(IEnumerable<Event> events)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
                EventJson.Write(json, e);
            text.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        }
        return text.ToString();
    }
}
