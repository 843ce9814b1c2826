using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>backup: a consistent copy of a live store, which is a new store for clients' cursors.</summary>
public sealed class BackupCommandTests
{
    private static SqliteConnection OpenFile(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static string Epoch(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'epoch'";
        return (string)command.ExecuteScalar()!;
    }

    private static List<(long Seq, string Uuid)> Events(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, uuid FROM events ORDER BY seq";
        using var reader = command.ExecuteReader();
        var events = new List<(long, string)>();
        while (reader.Read())
            events.Add((reader.GetInt64(0), reader.GetString(1)));
        return events;
    }

    /// <summary>Waits until a push answered at a time that <paramref name="when"/> accepts; the pusher failing ends the wait.</summary>
    private static async Task AnsweredAsync(List<TimeSpan> answeredAt, Task pusher, Func<TimeSpan, bool> when)
    {
        var patience = Stopwatch.StartNew();
        while (true)
        {
            lock (answeredAt)
            {
                if (answeredAt.Any(when))
                    return;
            }
            if (pusher.IsCompleted)
                await pusher;
            Assert.True(patience.Elapsed < ExecutableRunner.Timeout, "no push was answered in time");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Backup_of_a_server_taking_pushes_is_a_consistent_copy_with_a_new_epoch()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        var adminUuid = await admin.AdminUuidAsync();
        await admin.PutAclAsync(new AclRule("*", "*", "*", true));
        var before = Enumerable.Range(0, 20).Select(i => TestEvents.New(adminUuid, $"item-{i}")).ToArray();
        await admin.PushAcceptedAsync(before);

        // Pushes keep landing while the backup runs; each records when its answer arrived.
        using var stop = new CancellationTokenSource();
        var answeredAt = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        var pusher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await admin.PushAcceptedAsync(TestEvents.New(adminUuid), TestEvents.New(adminUuid));
                lock (answeredAt)
                    answeredAt.Add(clock.Elapsed);
            }
        }, TestContext.Current.CancellationToken);
        // The backup starts once pushes are landing and the pushes stop once one was answered
        // after it: waits on what happened, not on how long this machine takes for it.
        await AnsweredAsync(answeredAt, pusher, _ => true);
        var backupStarted = clock.Elapsed;
        var result = await workspace.RunAsync("backup", "copy.db");
        var backupEnded = clock.Elapsed;
        await AnsweredAsync(answeredAt, pusher, t => t > backupEnded);
        await stop.CancelAsync();
        await pusher;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, CliWorkspace.UnixModeOf(workspace.File("copy.db")));
        lock (answeredAt)
        {
            Assert.Contains(answeredAt, t => t > backupStarted && t < backupEnded);
            Assert.Contains(answeredAt, t => t > backupEnded);
        }
        using var copy = OpenFile(workspace.File("copy.db"));
        using var live = OpenFile(workspace.DatabaseFile);
        using (var check = copy.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        var copied = Events(copy);
        var all = Events(live);
        // Consistent: the copy is exactly the live history up to some seq, with nothing missing in between.
        Assert.Equal(all.Take(copied.Count), copied);
        Assert.True(copied.Count < all.Count, "pushes after the backup must not be in it");
        Assert.Superset(before.Select(e => e.Uuid).ToHashSet(), copied.Select(e => e.Uuid).ToHashSet());
        var copyEpoch = Epoch(copy);
        Assert.NotEqual(Epoch(live), copyEpoch);
        Assert.Equal([$"backed up {copied.Count} events to {workspace.File("copy.db")} (epoch {copyEpoch})"], result.StdoutLines);
    }

    [Fact]
    public async Task A_backup_used_as_the_store_has_the_users_and_events_of_the_original()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["user", "add", "alice"], "alice-password\n");
        var e = TestEvents.New("user-alice");
        await workspace.RunOkAsync(["import", workspace.Write("one.jsonl", $"{TestEvents.ToJson([e])[1..^1]}\n")]);
        var original = (await workspace.RunOkAsync(["export"])).Stdout;

        await workspace.RunOkAsync(["backup", "copy.db"]);

        Assert.Equal(["copy.db"], Directory.GetFiles(workspace.Path, "copy.db*").Select(Path.GetFileName));
        var useCopy = new Dictionary<string, string?> { ["SIMPLESYNC_STORAGE_SQLITE_PATH"] = "copy.db" };
        var users = await workspace.RunAsync(["user", "list"], environment: useCopy);
        var history = await workspace.RunAsync(["export"], environment: useCopy);
        Assert.True(users.ExitCode == 0, users.ToString());
        Assert.Equal(["alice"], users.StdoutLines.Select(l => l.Split('\t')[1]));
        Assert.Equal(original, history.Stdout);
        Assert.Contains(e.Uuid, history.Stdout);
    }

    [Fact]
    public async Task Backup_to_an_existing_file_exits_1_and_leaves_it_alone()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", "-"], """{"rules": []}""");
        var existing = workspace.Write("exists.db", "keep me");

        var result = await workspace.RunAsync("backup", "exists.db");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(existing, result.SingleErrorLine);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Backup_into_a_directory_that_does_not_exist_exits_1_naming_it()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", "-"], """{"rules": []}""");

        var result = await workspace.RunAsync("backup", "no-such-dir/copy.db");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(workspace.File("no-such-dir"), result.SingleErrorLine);
        Assert.False(Directory.Exists(workspace.File("no-such-dir")));
    }

    [Fact]
    public async Task Backup_without_a_store_exits_1_and_creates_nothing()
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync("backup", "copy.db");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(workspace.DatabaseFile, result.SingleErrorLine);
        Assert.False(File.Exists(workspace.File("copy.db")));
    }
}
