using SimpleSync.Cli;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// The files export and backup write hold the history (and, for backups, password hashes): they
/// are owner-only, never written through a link, and no temporary file outlives the command.
/// </summary>
public sealed class PrivateOutputTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A workspace with a store holding two events; returns what export prints for it.</summary>
    private static async Task<string> WithHistoryAsync(CliWorkspace workspace)
    {
        var events = new[] { TestEvents.New("user-a"), TestEvents.New("user-b") };
        var lines = string.Concat(events.Select(e => TestEvents.ToJson([e])[1..^1] + "\n"));
        await workspace.RunOkAsync(["import", workspace.Write("in.jsonl", lines)]);
        File.Delete(workspace.File("in.jsonl"));
        return (await workspace.RunOkAsync(["export"])).Stdout;
    }

    /// <summary>Every name in the directory, hidden ones included, so a leftover temporary file shows.</summary>
    private static List<string> Entries(string directory) =>
        [.. Directory.GetFileSystemEntries(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Export_to_a_file_is_readable_only_by_its_owner_and_leaves_no_temporary_file()
    {
        using var workspace = new CliWorkspace();
        var history = await WithHistoryAsync(workspace);

        var result = await workspace.RunAsync("export", "--out", "history.jsonl");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(OwnerOnly, CliWorkspace.UnixModeOf(workspace.File("history.jsonl")));
        Assert.Equal(history, await File.ReadAllTextAsync(workspace.File("history.jsonl"), TestContext.Current.CancellationToken));
        Assert.Equal(["data", "history.jsonl", "simple-sync.toml"], Entries(workspace.Path));
    }

    [Fact]
    public async Task Export_onto_a_symlink_replaces_the_link_with_a_private_file_and_leaves_its_target_alone()
    {
        using var workspace = new CliWorkspace();
        var history = await WithHistoryAsync(workspace);
        var victim = workspace.Write("victim.txt", "not yours to overwrite");
        File.CreateSymbolicLink(workspace.File("history.jsonl"), victim);

        var result = await workspace.RunAsync("export", "--out", "history.jsonl");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(new FileInfo(workspace.File("history.jsonl")).LinkTarget);
        Assert.Equal(OwnerOnly, CliWorkspace.UnixModeOf(workspace.File("history.jsonl")));
        Assert.Equal(history, await File.ReadAllTextAsync(workspace.File("history.jsonl"), TestContext.Current.CancellationToken));
        Assert.Equal("not yours to overwrite", await File.ReadAllTextAsync(victim, TestContext.Current.CancellationToken));
        Assert.Equal(["data", "history.jsonl", "simple-sync.toml", "victim.txt"], Entries(workspace.Path));
    }

    /// <summary>
    /// The attack that was reported: export wrote through FILE.&lt;pid&gt;.partial, a name another
    /// user could create first as a link to a file of the exporting user's. In process, so the
    /// process id the name would use is known.
    /// </summary>
    [Fact]
    public async Task Export_does_not_write_through_a_link_planted_at_a_temporary_name_derived_from_the_process_id()
    {
        using var workspace = new CliWorkspace();
        await WithHistoryAsync(workspace);
        var victim = workspace.Write("victim.txt", "not yours to overwrite");
        var output = workspace.File("history.jsonl");
        File.CreateSymbolicLink($"{output}.{Environment.ProcessId}.partial", victim);
        var environment = new Dictionary<string, string> { ["SIMPLESYNC_STORAGE_SQLITE_PATH"] = workspace.DatabaseFile };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await CliApp.RunAsync(["export", "--out", output, "--config", workspace.ConfigFile],
            TextReader.Null, stdout, stderr, environment, terminalKeys: null);

        Assert.True(exitCode == 0, stderr.ToString());
        Assert.Equal("not yours to overwrite", await File.ReadAllTextAsync(victim, TestContext.Current.CancellationToken));
        Assert.Equal(OwnerOnly, CliWorkspace.UnixModeOf(output));
    }

    [Fact]
    public async Task Export_that_cannot_be_put_in_place_exits_1_and_leaves_no_temporary_file()
    {
        using var workspace = new CliWorkspace();
        await WithHistoryAsync(workspace);
        Directory.CreateDirectory(workspace.File("taken"));
        var before = Entries(workspace.Path);

        var result = await workspace.RunAsync("export", "--out", "taken");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(workspace.File("taken"), result.SingleErrorLine);
        Assert.Equal(before, Entries(workspace.Path));
        Assert.Empty(Entries(workspace.File("taken")));
    }

    [Fact]
    public async Task Export_into_a_directory_that_does_not_exist_exits_1_naming_it()
    {
        using var workspace = new CliWorkspace();
        await WithHistoryAsync(workspace);

        var result = await workspace.RunAsync("export", "--out", "no-such-dir/history.jsonl");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{workspace.File("no-such-dir")}: no such directory", result.SingleErrorLine);
        Assert.False(Directory.Exists(workspace.File("no-such-dir")));
    }

    [Fact]
    public async Task Backup_leaves_no_temporary_file_on_success_or_failure()
    {
        using var workspace = new CliWorkspace();
        await WithHistoryAsync(workspace);

        var copied = await workspace.RunAsync("backup", "copy.db");
        await File.WriteAllTextAsync(workspace.DatabaseFile, "this is not a database", TestContext.Current.CancellationToken);
        var failed = await workspace.RunAsync("backup", "second.db");

        Assert.True(copied.ExitCode == 0, copied.ToString());
        Assert.Equal(OwnerOnly, CliWorkspace.UnixModeOf(workspace.File("copy.db")));
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("not a database", failed.SingleErrorLine);
        Assert.Equal(["copy.db", "data", "simple-sync.toml"], Entries(workspace.Path));
    }
}
