using System.Net;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>user add, passwd and list, run offline and checked against a real server.</summary>
public sealed class UserCommandTests
{
    [Fact]
    public async Task User_add_creates_users_that_log_in_over_HTTP_and_user_list_lists_them()
    {
        using var workspace = new CliWorkspace();

        var alice = await workspace.RunAsync(["user", "add", "alice"], "alice-password\n");
        var bob = await workspace.RunAsync(["user", "add", "bob", "--uuid", "user-bob"], "bob-password-1\r\n");

        Assert.True(alice.ExitCode == 0, alice.ToString());
        var aliceUuid = Assert.Single(alice.StdoutLines);
        Assert.Equal(7, Guid.Parse(aliceUuid).Version);
        Assert.Equal("", alice.Stderr);
        Assert.True(bob.ExitCode == 0, bob.ToString());
        Assert.Equal(["user-bob"], bob.StdoutLines);
        await using (var server = await workspace.ServeAsync())
        {
            var token = await server.LoginAsync("alice", "alice-password");
            Assert.Equal(HttpStatusCode.OK, (await server.NewClient(token).GetAsync("/events", TestContext.Current.CancellationToken)).StatusCode);
            await server.LoginAsync("bob", "bob-password-1");
        }
        var list = await workspace.RunAsync("user", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal([(aliceUuid, "alice", "-"), ("user-bob", "bob", "-")],
            list.StdoutLines.Select(l => l.Split('\t')).Select(f => (f[0], f[1], f[2])).ToList());
    }

    private sealed record Refusal(string What, string[] Args, string? Stdin, int ExitCode, string Named);

    [Fact]
    public async Task User_add_refuses_bad_input_with_one_line_and_creates_nothing()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["user", "add", "dave", "--uuid", "user-dave"], "dave-password\n");
        var before = (await workspace.RunAsync("user", "list")).Stdout;
        Refusal[] refusals =
        [
            new("a short password", ["user", "add", "carol"], "short\n", 1, "password"),
            new("an empty password", ["user", "add", "carol"], "\n", 1, "password"),
            new("no password on stdin", ["user", "add", "carol"], null, 2, "standard input"),
            new("a name with a space", ["user", "add", "carol smith"], "carol-password\n", 1, "NAME"),
            new("a name with a slash", ["user", "add", "carol/x"], "carol-password\n", 1, "NAME"),
            new("a name of 65 characters", ["user", "add", new string('c', 65)], "carol-password\n", 1, "NAME"),
            new("a uuid with a control character", ["user", "add", "carol", "--uuid", "bad\tuuid"], "carol-password\n", 1, "--uuid"),
            new("a uuid with a star", ["user", "add", "carol", "--uuid", "u-*"], "carol-password\n", 1, "--uuid"),
            new("a uuid with a space", ["user", "add", "carol", "--uuid", "u carol"], "carol-password\n", 1, "--uuid"),
            new("a uuid with a zero-width space", ["user", "add", "carol", "--uuid", "user-dave\u200b"], "carol-password\n", 1, "--uuid"),
            new("a taken name", ["user", "add", "dave"], "other-password\n", 1, "dave"),
            new("a taken name in other case", ["user", "add", "DAVE"], "other-password\n", 1, "DAVE"),
            new("a taken uuid", ["user", "add", "erin", "--uuid", "user-dave"], "erin-password\n", 1, "user-dave"),
        ];

        foreach (var refusal in refusals)
        {
            var result = await workspace.RunAsync(refusal.Args, refusal.Stdin);

            Assert.True(result.ExitCode == refusal.ExitCode, $"{refusal.What}: {result}");
            Assert.True(result.StderrLines.Count == 1, $"{refusal.What}: {result}");
            Assert.Contains(refusal.Named, result.StderrLines[0]);
            Assert.Equal("", result.Stdout);
            if (refusal.Stdin?.Trim() is { Length: > 0 } password)
                Assert.DoesNotContain(password, result.Stderr);
        }
        Assert.Equal(before, (await workspace.RunAsync("user", "list")).Stdout);
    }

    [Fact]
    public async Task User_passwd_changes_the_password_and_tokens_issued_before_stop_working()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["user", "add", "alice"], "old-password\n");
        await using var server = await workspace.ServeAsync();
        var oldToken = await server.LoginAsync("alice", "old-password");
        var client = server.NewClient(oldToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/events", TestContext.Current.CancellationToken)).StatusCode);

        var result = await workspace.RunAsync(["user", "passwd", "alice"], "new-password\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var withOldToken = await client.GetAsync("/events", TestContext.Current.CancellationToken);
        await withOldToken.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var withOldPassword = await server.PostTokenAsync("alice", "old-password");
        Assert.Equal(HttpStatusCode.Unauthorized, withOldPassword.StatusCode);
        var newToken = await server.LoginAsync("alice", "new-password");
        Assert.Equal(HttpStatusCode.OK, (await server.NewClient(newToken).GetAsync("/events", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task User_passwd_refuses_an_unknown_user_and_a_short_password_and_changes_nothing()
    {
        using var workspace = new CliWorkspace();
        await workspace.RunOkAsync(["user", "add", "alice"], "old-password\n");

        var unknown = await workspace.RunAsync(["user", "passwd", "nobody"], "new-password\n");
        var tooShort = await workspace.RunAsync(["user", "passwd", "alice"], "short\n");
        var noInput = await workspace.RunAsync(["user", "passwd", "alice"]);

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("nobody", unknown.SingleErrorLine);
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("password", tooShort.SingleErrorLine);
        Assert.Equal(2, noInput.ExitCode);
        Assert.Contains("standard input", noInput.SingleErrorLine);
        await using var server = await workspace.ServeAsync();
        await server.LoginAsync("alice", "old-password");
    }
}
