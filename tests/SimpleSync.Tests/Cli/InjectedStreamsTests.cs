using System.Text;
using SimpleSync.Auth;
using SimpleSync.Cli;
using SimpleSync.Config;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// Commands run in this process through <see cref="CliApp"/> use only the streams and terminal they
/// are given: export writes the history to the output writer, and a password comes from the given
/// input or, at a terminal, from the typed keys with the prompts on the error writer.
/// </summary>
public sealed class InjectedStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Runs one command on the workspace's store. The store is named by variable: the workspace's
    /// relative default would resolve against this process's directory, not the workspace.
    /// </summary>
    private static async Task<ExeResult> RunAsync(CliWorkspace workspace, string[] args, string stdin = "",
        Func<ConsoleKeyInfo>? terminalKeys = null, TextWriter? stdout = null)
    {
        var environment = new Dictionary<string, string> { ["SIMPLESYNC_STORAGE_SQLITE_PATH"] = workspace.DatabaseFile };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync([.. args, "--config", workspace.ConfigFile], new StringReader(stdin),
            stdout ?? output, error, environment, terminalKeys);
        return new ExeResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Keys as a terminal delivers them: '\r' is Enter, '\b' Backspace.</summary>
    private static Func<ConsoleKeyInfo> Typing(string keys)
    {
        var pending = new Queue<char>(keys);
        return () => pending.TryDequeue(out var c)
            ? new ConsoleKeyInfo(c, c switch { '\r' => ConsoleKey.Enter, '\b' => ConsoleKey.Backspace, _ => ConsoleKey.NoName }, false, false, false)
            : throw new InvalidOperationException("the command read past the typed keys");
    }

    /// <summary>Over 64 KiB of JSON Lines, so export writes more than one chunk, with text that is not ASCII.</summary>
    private static List<Event> History() =>
    [
        .. Enumerable.Range(0, 1500).Select(i =>
            TestEvents.New($"user-{i % 3}", $"item-{i}", payload: $"{{\"n\":{i},\"text\":\"grüße, 日本, 🙂 <&>\"}}", timestamp: (ulong)(i % 11))),
    ];

    private static async Task<StoredUser?> FindUserAsync(CliWorkspace workspace, string name)
    {
        var storage = new StorageSection { SqlitePath = workspace.DatabaseFile };
        await using var store = await EventStores.OpenAsync(storage, committed: null, create: false, keepReads: false, Ct);
        return await store.FindUserByNameAsync(name, Ct);
    }

    private static async Task AssertPasswordAsync(CliWorkspace workspace, string name, string password)
    {
        var user = await FindUserAsync(workspace, name);
        Assert.NotNull(user);
        Assert.True(new PasswordHasher(PasswordHasher.DefaultIterations).Verify(password, user.PasswordHash),
            $"the stored hash of {name} does not match '{password}'");
    }

    [Fact]
    public async Task Export_writes_the_history_to_the_output_writer_it_is_given_as_the_executable_prints_it()
    {
        using var workspace = new CliWorkspace();
        var history = History();
        var imported = await RunAsync(workspace, ["import", workspace.Write("in.jsonl", TestEvents.JsonLines(history))]);
        Assert.True(imported.ExitCode == 0, imported.ToString());

        var export = await RunAsync(workspace, ["export"]);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal("", export.Stderr);
        Assert.Equal(ExportLines.HistoryOrder(history), ExportLines.Parse(export.Stdout));
        Assert.Equal(history.Count, export.Stdout.Count(c => c == '\n'));
        Assert.Contains("grüße, 日本", export.Stdout);
        Assert.Equal((await workspace.RunOkAsync(["export"])).Stdout, export.Stdout);
    }

    [Fact]
    public async Task Export_to_a_writer_whose_charset_cannot_hold_every_character_escapes_them_instead_of_losing_them()
    {
        using var workspace = new CliWorkspace();
        var history = History();
        await workspace.RunOkAsync(["import", workspace.Write("in.jsonl", TestEvents.JsonLines(history))]);
        using var bytes = new MemoryStream();

        await using (var latin1 = new StreamWriter(bytes, Encoding.Latin1, leaveOpen: true))
        {
            var export = await RunAsync(workspace, ["export"], stdout: latin1);
            Assert.True(export.ExitCode == 0, export.ToString());
        }

        Assert.All(bytes.ToArray(), b => Assert.True(b < 0x80, $"byte 0x{b:X2} is not ASCII"));
        Assert.Equal(ExportLines.HistoryOrder(history), ExportLines.Parse(Encoding.ASCII.GetString(bytes.ToArray())));
    }

    [Fact]
    public async Task User_add_takes_the_first_line_of_piped_input_as_the_password_and_prompts_for_nothing()
    {
        using var workspace = new CliWorkspace();

        var result = await RunAsync(workspace, ["user", "add", "alice", "--uuid", "user-alice"], "alice-password\r\nsecond line\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("user-alice\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Stderr);
        await AssertPasswordAsync(workspace, "alice", "alice-password");
    }

    [Fact]
    public async Task User_add_at_a_terminal_asks_twice_on_stderr_without_echo_and_honours_backspace()
    {
        using var workspace = new CliWorkspace();
        var keys = Typing("alice-passwXY\b\bord\r" + "\balice-password\r");

        var result = await RunAsync(workspace, ["user", "add", "alice", "--uuid", "user-alice"], "not-from-stdin\n", keys);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("user-alice\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("New password: \nRepeat it: \n", result.Stderr.ReplaceLineEndings("\n"));
        await AssertPasswordAsync(workspace, "alice", "alice-password");
    }

    [Fact]
    public async Task User_passwd_at_a_terminal_refuses_two_different_passwords_with_exit_code_2_and_changes_nothing()
    {
        using var workspace = new CliWorkspace();
        Assert.Equal(0, (await RunAsync(workspace, ["user", "add", "alice"], "alice-password\n")).ExitCode);
        var before = (await FindUserAsync(workspace, "alice"))!;

        var result = await RunAsync(workspace, ["user", "passwd", "alice"], terminalKeys: Typing("new-password\r" + "new-passwort\r"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(["New password: ", "Repeat it: ", "simple-sync user passwd: the two passwords differ (see simple-sync user passwd --help)"],
            result.StderrLines);
        var after = (await FindUserAsync(workspace, "alice"))!;
        Assert.Equal(before.PasswordHash, after.PasswordHash);
        Assert.Equal(before.SecurityStamp, after.SecurityStamp);
    }
}
