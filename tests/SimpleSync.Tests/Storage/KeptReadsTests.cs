using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Storage.Sqlite;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Storage;

/// <summary>
/// A server's SQLite store keeps the token's user, the ACL version and the head in memory against
/// the change counters of the file beside the database; a command's store reads every time and
/// announces what it commits. Each test makes the server's store keep a value, changes it through
/// another store on the same file, and reads again at once.
/// </summary>
public sealed class KeptReadsTests : IDisposable
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
    private readonly TempDir _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => _dir.File("simple-sync.db");

    private string ChangesPath => DatabasePath + "-changes";

    public void Dispose() => _dir.Dispose();

    private static StoredUser Alice => new("user-alice", "alice", "hash", "stamp-1", At);

    [Fact]
    public async Task A_user_changed_by_a_command_is_read_afresh_by_the_server()
    {
        await using var server = SqliteEventStore.Open(DatabasePath);
        await server.CreateUserAsync(Alice, Ct);
        Assert.Equal("stamp-1", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);

        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            Assert.True(await command.UpdateUserAsync("user-alice", null, "hash-2", "stamp-2", At, Ct));
        Assert.Equal("stamp-2", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);

        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            Assert.True(await command.SetAdminAsync("user-alice", true, Ct));
        Assert.True((await server.FindUserByUuidAsync("user-alice", Ct))!.Admin);
    }

    [Fact]
    public async Task An_ACL_set_by_a_command_moves_the_version_the_server_reads()
    {
        await using var server = SqliteEventStore.Open(DatabasePath);
        Assert.Equal(0, await server.GetAclVersionAsync(Ct));

        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            await command.ReplaceAclAsync([new AclRule("*", "*", "*", true)], "cli", At, Ct);

        Assert.Equal(1, await server.GetAclVersionAsync(Ct));
    }

    [Fact]
    public async Task Events_appended_by_a_command_are_in_the_server_s_next_snapshot()
    {
        await using var server = SqliteEventStore.Open(DatabasePath);
        await server.AppendAsync([TestEvents.New("user-alice")], Ct);
        Assert.Equal(1, await server.HeadAsync(Ct));

        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            await command.AppendAsync([TestEvents.New("user-alice"), TestEvents.New("user-alice")], Ct);

        Assert.Equal(3, await server.HeadAsync(Ct));
        await server.AppendAsync([TestEvents.New("user-alice")], Ct);
        Assert.Equal(4, await server.HeadAsync(Ct));
    }

    [Fact]
    public async Task Two_servers_on_one_file_see_each_other_s_changes()
    {
        await using var first = SqliteEventStore.Open(DatabasePath);
        await using var second = SqliteEventStore.Open(DatabasePath);
        await first.CreateUserAsync(Alice, Ct);
        Assert.Equal("stamp-1", (await second.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);
        Assert.Equal(0, await second.HeadAsync(Ct));

        await first.UpdateUserAsync("user-alice", "alicia", null, "stamp-2", At, Ct);
        await first.AppendAsync([TestEvents.New("user-alice")], Ct);

        Assert.Equal("alicia", (await second.FindUserByUuidAsync("user-alice", Ct))!.Username);
        Assert.Equal(1, await second.HeadAsync(Ct));
    }

    [Fact]
    public async Task A_refused_change_leaves_the_kept_user_as_it_is()
    {
        await using var server = SqliteEventStore.Open(DatabasePath);
        await server.CreateUserAsync(Alice, Ct);
        await server.CreateUserAsync(Alice with { Uuid = "user-bob", Username = "bob" }, Ct);
        Assert.Equal("alice", (await server.FindUserByUuidAsync("user-alice", Ct))!.Username);

        await Assert.ThrowsAsync<Errors.ApiException>(() => server.UpdateUserAsync("user-alice", "bob", null, "stamp-2", At, Ct));

        var user = await server.FindUserByUuidAsync("user-alice", Ct);
        Assert.Equal(("alice", "stamp-1"), (user!.Username, user.SecurityStamp));
    }

    [Fact]
    public async Task A_command_on_a_store_no_server_has_opened_creates_no_change_file()
    {
        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
        {
            await command.CreateUserAsync(Alice, Ct);
            await command.AppendAsync([TestEvents.New("user-alice")], Ct);
        }

        Assert.False(File.Exists(ChangesPath));
        await using var server = SqliteEventStore.Open(DatabasePath);
        Assert.True(File.Exists(ChangesPath));
        Assert.Equal("alice", (await server.FindUserByUuidAsync("user-alice", Ct))!.Username);
        Assert.Equal(1, await server.HeadAsync(Ct));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_change_file_gets_the_database_file_s_permissions()
    {
        await using (SqliteEventStore.Open(DatabasePath))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ChangesPath));

        File.Delete(ChangesPath);
        File.SetUnixFileMode(DatabasePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        await using (SqliteEventStore.Open(DatabasePath))
            Assert.Equal(File.GetUnixFileMode(DatabasePath), File.GetUnixFileMode(ChangesPath));
    }

    [Fact]
    public async Task A_command_that_cannot_open_the_change_file_says_its_change_is_stored_and_the_server_not_told()
    {
        // A directory in its place: refused to root as well, where a file's mode is not.
        Directory.CreateDirectory(ChangesPath);

        await using var command = SqliteEventStore.Open(DatabasePath, keepReads: false);
        var error = await Assert.ThrowsAsync<IOException>(() => command.CreateUserAsync(Alice, Ct));

        Assert.Contains("the change is stored, but a running server could not be told of it", error.Message);
        Assert.Equal("alice", (await command.FindUserByUuidAsync("user-alice", Ct))!.Username);
    }

    [Fact]
    public async Task A_server_whose_change_file_was_deleted_makes_a_new_one_and_reads_everything_again()
    {
        await using var server = SqliteEventStore.Open(DatabasePath, changeFileCheck: TimeSpan.Zero);
        await server.CreateUserAsync(Alice, Ct);
        Assert.Equal("stamp-1", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);
        Assert.Equal(0, await server.HeadAsync(Ct));

        File.Delete(ChangesPath);
        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
        {
            // No file to tell: the command cannot announce these.
            Assert.True(await command.UpdateUserAsync("user-alice", null, "hash-2", "stamp-2", At, Ct));
            await command.AppendAsync([TestEvents.New("user-alice")], Ct);
        }
        Assert.False(File.Exists(ChangesPath));

        Assert.Equal("stamp-2", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);
        Assert.Equal(1, await server.HeadAsync(Ct));
        Assert.True(File.Exists(ChangesPath), "the server did not make a new change file");
    }

    [Fact]
    public async Task A_server_whose_change_file_was_replaced_reads_everything_again()
    {
        await using var server = SqliteEventStore.Open(DatabasePath, changeFileCheck: TimeSpan.Zero);
        await server.CreateUserAsync(Alice, Ct);
        Assert.False((await server.FindUserByUuidAsync("user-alice", Ct))!.Admin);

        // Another file renamed over it: the command announces to that one, which the server never mapped.
        var other = _dir.File("other-changes");
        await File.WriteAllBytesAsync(other, new byte[4096], Ct);
        File.Move(other, ChangesPath, overwrite: true);
        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            Assert.True(await command.SetAdminAsync("user-alice", true, Ct));

        Assert.True((await server.FindUserByUuidAsync("user-alice", Ct))!.Admin);
    }

    [Fact]
    public async Task A_change_written_around_the_store_is_not_seen_until_the_counter_moves()
    {
        // What the change file documents: every writer must announce. This pins that the kept
        // value is really kept (the other tests would pass on a store that reads every time).
        await using var server = SqliteEventStore.Open(DatabasePath);
        await server.CreateUserAsync(Alice, Ct);
        Assert.Equal("stamp-1", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE users SET security_stamp = 'stamp-2'";
            update.ExecuteNonQuery();
        }

        Assert.Equal("stamp-1", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);
        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            await command.ReplaceAclAsync([], "cli", At, Ct);
        Assert.Equal("stamp-2", (await server.FindUserByUuidAsync("user-alice", Ct))!.SecurityStamp);
    }

    [Fact]
    public async Task A_pull_gets_every_event_past_its_cursor_when_a_command_committed_between_the_server_s_commits()
    {
        await using var server = SqliteEventStore.Open(DatabasePath);
        var all = new List<Event>();
        async Task AppendAsync(IEventStore store, int count)
        {
            var events = Enumerable.Range(0, count).Select(_ => TestEvents.New("user-alice")).ToList();
            await store.AppendAsync(events, Ct);
            all.AddRange(events);
        }
        await AppendAsync(server, 2);
        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            await AppendAsync(command, 3);
        await AppendAsync(server, 2);
        await AppendAsync(server, 1);
        await AssertEverySinceAsync();

        // Now the newest events are past what this server committed: memory, then the database.
        await using (var command = SqliteEventStore.Open(DatabasePath, keepReads: false))
            await AppendAsync(command, 2);
        await AssertEverySinceAsync();

        async Task AssertEverySinceAsync()
        {
            for (var cursor = 0; cursor <= all.Count; cursor++)
            {
                foreach (var limit in new[] { 1, 2, 10 })
                {
                    var expected = all.Skip(cursor).Take(limit).Select((e, i) => (cursor + i + 1L, e.Uuid));
                    Assert.Equal(expected, await SinceAsync(server, cursor, limit));
                }
            }
        }
    }

    [Fact]
    public async Task Reads_from_before_the_events_kept_in_memory_come_from_the_database()
    {
        await using var server = SqliteEventStore.Open(DatabasePath);
        var events = Enumerable.Range(0, 9_000).Select(_ => TestEvents.New("user-alice")).ToList();
        await server.AppendAsync(events, Ct);

        Assert.Equal(events.Select((e, i) => (i + 1L, e.Uuid)), await SinceAsync(server, 0, 10_000));
        Assert.Equal(events.Skip(8_990).Select((e, i) => (8_991L + i, e.Uuid)), await SinceAsync(server, 8_990, 10_000));
    }

    private static async Task<List<(long Seq, string Uuid)>> SinceAsync(IEventStore store, long cursor, int limit)
    {
        await using var snapshot = await store.OpenSnapshotAsync(Ct);
        var read = new List<(long, string)>();
        await foreach (var item in snapshot.ReadSince(cursor, limit, Ct))
            read.Add((item.Seq, item.Event.Uuid));
        return read;
    }
}
