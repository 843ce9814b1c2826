using System.Net;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Cli;

/// <summary>serve --ready-file: where a program that started the server learns that it listens, and at which address.</summary>
public sealed class ReadyFileTests
{
    [Fact]
    public async Task Serve_writes_a_private_ready_file_with_the_address_it_got_and_removes_it_at_a_clean_stop()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var path = server.ReadyFilePath!;

        using var ready = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        var root = ready.RootElement;
        var url = Assert.Single(root.GetProperty("urls").EnumerateArray()).GetString()!;
        Assert.Matches(@"^http://127\.0\.0\.1:[1-9][0-9]*$", url);
        Assert.Equal(server.Pid, root.GetProperty("pid").GetInt32());
        Assert.Equal(workspace.DatabaseFile, root.GetProperty("store").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, CliWorkspace.UnixModeOf(path));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        // The line for people is still printed, with the same address.
        Assert.Contains($"listening on {url} ", server.Stdout, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = ExecutableRunner.Timeout };
        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = JsonSerializer.Deserialize(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            ProtocolJsonContext.Default.HealthResponse)!;
        Assert.Equal("ok", body.Status);
        Assert.Equal(body.Version, root.GetProperty("version").GetString());

        Assert.Equal(0, await server.StopAsync());
        Assert.False(File.Exists(path), "the ready file outlived a clean stop");
    }

    public static TheoryData<string, string, string> RefusedPaths() => new()
    {
        // /sys refuses new files even to root, who ignores permission bits.
        { "an unwritable directory", "/sys/simple-sync-ready.json", "cannot write in /sys" },
        { "a missing directory", "missing/ready.json", "does not exist" },
        { "a directory", ".", "is a directory" },
    };

    [Theory]
    [MemberData(nameof(RefusedPaths))]
    public async Task A_ready_file_that_cannot_be_written_is_refused_before_anything_is_served(string what, string path, string reason)
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync("serve", "--ready-file", path);

        result.AssertConfigRefused(what, "--ready-file", reason);
        Assert.False(Directory.Exists(workspace.Data("")), "the store was created although the server never started");
    }

    [Fact]
    public async Task A_ready_file_path_that_names_another_file_is_refused_and_the_file_left_as_it_was()
    {
        using var workspace = new CliWorkspace();
        var config = await File.ReadAllTextAsync(workspace.ConfigFile, TestContext.Current.CancellationToken);

        // A slip that names the config itself.
        var result = await workspace.RunAsync("serve", "--ready-file", workspace.ConfigFile);

        result.AssertConfigRefused("an existing file", "--ready-file", "exists and is not a ready file");
        Assert.Equal(config, await File.ReadAllTextAsync(workspace.ConfigFile, TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(workspace.Data("")), "the store was created although the server never started");
    }

    public static TheoryData<string> FilesTheServerCreates() => ["jwt-secret", "initial-admin-password", "simple-sync.db", "simple-sync.db-changes"];

    [Theory]
    [MemberData(nameof(FilesTheServerCreates))]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_ready_file_path_that_names_a_file_the_server_creates_as_it_starts_stops_it_and_the_file_stays(string name)
    {
        using var workspace = new CliWorkspace();
        var path = workspace.Data(name);
        Directory.CreateDirectory(workspace.Data(""), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // The file does not exist yet when the path is checked; the server creates it while it starts.
        var result = await workspace.RunAsync("serve", "--ready-file", path);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("was created while the server started", result.SingleErrorLine);
        Assert.True(File.Exists(path), $"{name} was removed");
        Assert.DoesNotContain("\"urls\"", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_file_that_replaced_the_ready_file_while_the_server_ran_is_left_at_the_stop()
    {
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var path = server.ReadyFilePath!;

        await File.WriteAllTextAsync(path, "something else\n", TestContext.Current.CancellationToken);
        Assert.Equal(0, await server.StopAsync());

        Assert.Equal("something else\n", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }
}
