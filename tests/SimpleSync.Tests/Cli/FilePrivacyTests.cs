using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace SimpleSync.Tests.Cli;

/// <summary>
/// serve refuses a JWT secret that other users can reach (whoever reads it can sign tokens for
/// anyone) and warns about a store or data directory they can reach.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class FilePrivacyTests
{
    /// <summary>Uid 65534 is "nobody" on Linux: an owner that is surely not the test's user.</summary>
    private const string OtherUser = "65534";

    private static string WriteSecret(CliWorkspace workspace, UnixFileMode mode)
    {
        Directory.CreateDirectory(workspace.Data(""), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var secret = workspace.Data("jwt-secret");
        File.WriteAllText(secret, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(secret, mode);
        return secret;
    }

    private static async Task ChownAsync(string path, string owner)
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Skip("only root can give a file to another user");
        using var chown = Process.Start("chown", [owner, path]);
        await chown.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, chown.ExitCode);
    }

    /// <summary>Runs serve, which must fail as start-up failures do: exit code 1, nothing on stdout, one line naming the secret.</summary>
    private static async Task<string> RefusedStartAsync(CliWorkspace workspace, string secret)
    {
        var result = await workspace.RunAsync("serve");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = result.SingleErrorLine;
        Assert.StartsWith($"simple-sync serve: {secret}: ", line, StringComparison.Ordinal);
        return line;
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite, "0602")]
    public async Task Serve_refuses_a_JWT_secret_with_group_or_other_permissions_in_one_line_that_says_how_to_fix_it(
        UnixFileMode mode, string octal)
    {
        using var workspace = new CliWorkspace();
        var secret = WriteSecret(workspace, mode);

        var line = await RefusedStartAsync(workspace, secret);

        Assert.Contains($"mode {octal}", line, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {secret}", line, StringComparison.Ordinal);
        Assert.Equal(mode, CliWorkspace.UnixModeOf(secret));
    }

    [Fact]
    public async Task Serve_refuses_a_JWT_secret_owned_by_another_user()
    {
        using var workspace = new CliWorkspace();
        var secret = WriteSecret(workspace, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await ChownAsync(secret, OtherUser);

        var line = await RefusedStartAsync(workspace, secret);

        Assert.Contains($"owned by uid {OtherUser}", line, StringComparison.Ordinal);
        Assert.Contains($"chown 0 {secret}", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.UserRead)]
    public async Task Serve_accepts_a_JWT_secret_only_its_owner_can_read_and_warns_about_nothing(UnixFileMode mode)
    {
        using var workspace = new CliWorkspace();
        var secret = WriteSecret(workspace, mode);
        var key = await File.ReadAllTextAsync(secret, TestContext.Current.CancellationToken);

        await using var server = await workspace.ServeAsync();
        await server.LoginAsync("admin", workspace.AdminPassword);
        Assert.Equal(0, await server.StopAsync());

        Assert.Equal(key, await File.ReadAllTextAsync(secret, TestContext.Current.CancellationToken));
        Assert.DoesNotContain("should be private", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_warns_about_a_database_and_a_data_directory_that_other_users_can_read_and_still_starts()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", "-"], """{"rules": []}""");
        File.SetUnixFileMode(workspace.DatabaseFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(workspace.Data(""), (UnixFileMode)0b111_101_101);
        var directory = Path.GetDirectoryName(workspace.DatabaseFile)!;

        await using var server = await workspace.ServeAsync();

        Assert.True(await server.PrintsAsync($"chmod 700 {directory}"), server.Stderr);
        var warnings = server.Stderr.Split('\n').Where(l => l.Contains("should be private", StringComparison.Ordinal)).ToList();
        var database = Assert.Single(warnings, l => l.Contains($"{workspace.DatabaseFile}: the database", StringComparison.Ordinal));
        Assert.Contains("warn:", database, StringComparison.Ordinal);
        Assert.Contains("mode 0644", database, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {workspace.DatabaseFile}", database, StringComparison.Ordinal);
        var folder = Assert.Single(warnings, l => l.Contains($"{directory}: the data directory", StringComparison.Ordinal));
        Assert.Contains("mode 0755", folder, StringComparison.Ordinal);
        Assert.Equal(2, warnings.Count);
        await server.LoginAsync("admin", workspace.AdminPassword);
    }

    [Fact]
    public async Task Serve_warns_about_a_database_owned_by_another_user()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["acl", "set", "-"], """{"rules": []}""");
        await ChownAsync(workspace.DatabaseFile, OtherUser);

        await using var server = await workspace.ServeAsync();

        Assert.True(await server.PrintsAsync($"chown 0 {workspace.DatabaseFile}"), server.Stderr);
        Assert.Contains($"owned by uid {OtherUser}", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("the data directory", server.Stderr, StringComparison.Ordinal);
    }
}
