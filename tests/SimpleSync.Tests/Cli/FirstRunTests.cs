using System.Net.Http.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Cli;

/// <summary>serve on an empty data directory: the admin account, its password file and the JWT secret.</summary>
public sealed class FirstRunTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Theory]
    [InlineData(null, "data", "warning")]
    [InlineData("secrets/jwt", "secrets", "info")]
    [InlineData(null, "data", "none")]
    public async Task First_serve_creates_the_admin_with_a_private_password_file_beside_the_secret_and_prints_only_its_path(
        string? secretFile, string secretDirectory, string logLevel)
    {
        using var workspace = new CliWorkspace();
        var environment = new Dictionary<string, string?>
        {
            ["SIMPLESYNC_AUTH_JWT_SECRET_FILE"] = secretFile,
            ["SIMPLESYNC_SERVER_LOG_LEVEL"] = logLevel,
        };
        var passwordFile = workspace.File($"{secretDirectory}/initial-admin-password");
        var secret = workspace.File(secretFile ?? "data/jwt-secret");

        await using var server = await workspace.ServeAsync(environment);

        Assert.Equal(OwnerOnly, CliWorkspace.UnixModeOf(passwordFile));
        Assert.Equal(OwnerOnly, CliWorkspace.UnixModeOf(secret));
        var password = (await File.ReadAllTextAsync(passwordFile, TestContext.Current.CancellationToken)).Trim();
        Assert.True(password.Length >= 16, "the initial password must be long and random");
        Assert.True(await server.PrintsAsync(passwordFile), $"the password file's path was not printed:\n{server.Stdout}{server.Stderr}");
        Assert.DoesNotContain(password, server.Stdout + server.Stderr);
        var admin = server.NewClient(await server.LoginAsync("admin", password));
        var users = await admin.GetFromJsonAsync<List<UserInfo>>("/admin/users", TestContext.Current.CancellationToken);
        Assert.Equal([("admin", true)], users!.Select(u => (u.Username, u.Admin)));
        Assert.Equal(0, await server.StopAsync());
        Assert.DoesNotContain(password, server.Stdout + server.Stderr);
    }

    [Fact]
    public async Task A_second_start_keeps_the_password_the_secret_and_the_one_admin()
    {
        using var workspace = new CliWorkspace();
        string password;
        byte[] secret;
        await using (var first = await workspace.ServeAsync())
        {
            password = workspace.AdminPassword;
            secret = await File.ReadAllBytesAsync(workspace.Data("jwt-secret"), TestContext.Current.CancellationToken);
            Assert.Equal(0, await first.StopAsync());
        }
        var passwordWritten = File.GetLastWriteTimeUtc(workspace.Data("initial-admin-password"));

        await using var second = await workspace.ServeAsync();

        Assert.Equal(password, workspace.AdminPassword);
        Assert.Equal(passwordWritten, File.GetLastWriteTimeUtc(workspace.Data("initial-admin-password")));
        Assert.Equal(secret, await File.ReadAllBytesAsync(workspace.Data("jwt-secret"), TestContext.Current.CancellationToken));
        var admin = second.NewClient(await second.LoginAsync("admin", password));
        var users = await admin.GetFromJsonAsync<List<UserInfo>>("/admin/users", TestContext.Current.CancellationToken);
        Assert.Equal(["admin"], users!.Select(u => u.Username));
        Assert.Equal(0, await second.StopAsync());
        Assert.DoesNotContain("initial-admin-password", second.Stdout + second.Stderr);
    }

    [Fact]
    public async Task A_store_that_already_has_users_gets_no_admin_account_and_no_password_file()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["user", "add", "alice"], "alice-password\n");

        await using (var server = await workspace.ServeAsync())
            Assert.Equal(0, await server.StopAsync());

        Assert.False(File.Exists(workspace.Data("initial-admin-password")));
        var users = await workspace.RunAsync("user", "list");
        Assert.Equal(["alice"], users.StdoutLines.Select(l => l.Split('\t')[1]));
    }
}
