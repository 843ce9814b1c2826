using SimpleSync.Cli;
using SimpleSync.Config;

namespace SimpleSync.Tests.Cli;

/// <summary>The executable's front door: help, bad usage and init.</summary>
public sealed class CliCommandTests
{
    [Fact]
    public async Task Every_command_answers_help_with_its_usage_and_exit_code_0_even_with_a_broken_config()
    {
        // Help must not depend on the config: this one cannot even be parsed.
        using var workspace = new CliWorkspace(config: "[server\n");
        var invocations = CliApp.Commands
            .SelectMany(c => new[] { "--help", "-h" }.Select(help => (Args: (string[])[.. c.Name.Split(' '), help], Usage: $"Usage: simple-sync {c.Name}")))
            .Concat(new string[][] { ["--help"], ["-h"], ["help"], ["user", "--help"], ["acl", "-h"] }.Select(a => (Args: a, Usage: "Usage: simple-sync <command>")));

        var results = await Task.WhenAll(invocations.Select(async i => (i.Args, i.Usage, Result: await workspace.RunAsync(i.Args))));

        foreach (var (args, usage, result) in results)
        {
            var shown = string.Join(' ', args);
            Assert.True(result.ExitCode == 0, $"{shown}: {result}");
            Assert.True(result.Stderr.Length == 0, $"{shown} wrote to stderr: {result.Stderr}");
            Assert.True(result.Stdout.StartsWith(usage, StringComparison.Ordinal), $"{shown} printed: {result.Stdout}");
        }
        Assert.False(Directory.Exists(workspace.Data("")));
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^simple-sync \d+\.\d+\.\d+", result.Stdout);
    }

    public static TheoryData<string[], string> BadUsage => new()
    {
        { ["bogus"], "bogus" },
        { ["user", "bogus"], "user bogus" },
        { ["user", "list", "--bogus"], "--bogus" },
        { ["serve", "-x"], "-x" },
        { ["serve", "extra"], "serve" },
        { ["user", "add"], "user add" },
        { ["user", "add", "bob", "a-password-in-argv"], "user add" },
        { ["user", "add", "bob", "--password", "a-password-in-argv"], "--password" },
        { ["user", "add", "bob", "--uuid"], "--uuid" },
        { ["export", "--out"], "--out" },
        { ["backup", ""], "empty" },
        { ["user", "list", "--config", "a.toml", "--config", "b.toml"], "--config" },
    };

    [Theory]
    [MemberData(nameof(BadUsage))]
    public async Task Bad_usage_exits_2_with_one_line_on_stderr_and_touches_nothing(string[] args, string named)
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(named, result.SingleErrorLine);
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(workspace.Data("")));
    }

    [Theory]
    [InlineData]
    [InlineData("user")]
    [InlineData("acl")]
    public async Task A_missing_command_exits_2_with_the_overview_on_stderr(params string[] args)
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Usage: simple-sync", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("export")]
    [InlineData("user", "list")]
    [InlineData("user", "passwd", "alice")]
    [InlineData("acl", "show")]
    public async Task A_command_that_reads_the_store_refuses_a_store_that_does_not_exist(params string[] args)
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync(args, "alice-password\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(workspace.DatabaseFile, result.SingleErrorLine);
        Assert.False(Directory.Exists(workspace.Data("")));
    }

    [Fact]
    public async Task Serve_on_a_port_in_use_exits_1_with_one_line_naming_the_address()
    {
        using var workspace = new CliWorkspace();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var result = await workspace.RunAsync(["serve"], environment: new Dictionary<string, string?> { ["SIMPLESYNC_SERVER_LISTEN"] = address });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(address, result.SingleErrorLine);
        Assert.DoesNotContain("listening on", result.Stdout);
    }

    [Fact]
    public async Task Init_writes_a_config_with_every_key_that_loads_and_a_private_secret()
    {
        using var workspace = new CliWorkspace(config: null);

        var result = await workspace.RunAsync("init");

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = await File.ReadAllTextAsync(workspace.ConfigFile, TestContext.Current.CancellationToken);
        foreach (var key in ConfigLoader.KeyNames)
        {
            var (section, name) = (key.Split('.')[0], key.Split('.')[1]);
            Assert.Matches($@"(?ms)^\[{section}\].*?^(# )?{name} = ", text);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, CliWorkspace.UnixModeOf(workspace.Data("jwt-secret")));
        var load = await workspace.RunAsync(["acl", "set", "-"], """{"rules": []}""");
        Assert.True(load.ExitCode == 0, $"the written config does not load: {load}");
        Assert.True(File.Exists(workspace.DatabaseFile), "the store is not where the written config says");
    }

    [Fact]
    public async Task Init_writes_every_key_at_the_value_the_code_defaults_to()
    {
        using var workspace = new CliWorkspace(config: null);
        await workspace.RunOkAsync(["init"]);

        // Relative paths in the file resolve against this process's directory, as the defaults do.
        var loaded = ConfigLoader.Load(workspace.ConfigFile, new Dictionary<string, string>());

        var defaults = new SimpleSyncOptions { SourceFile = loaded.SourceFile };
        Assert.Equal(defaults.Server.TrustedProxies, loaded.Server.TrustedProxies);
        Assert.Equal(defaults.Server.CorsOrigins, loaded.Server.CorsOrigins);
        Assert.Equal(defaults.Auth.Admins, loaded.Auth.Admins);
        // Records compare lists by reference: those just compared by content are taken over, and every other value must be equal.
        var withSameLists = defaults with
        {
            Server = defaults.Server with { TrustedProxies = loaded.Server.TrustedProxies, CorsOrigins = loaded.Server.CorsOrigins },
            Auth = defaults.Auth with { Admins = loaded.Auth.Admins },
        };
        Assert.Equal(withSameLists, loaded);
    }

    [Fact]
    public async Task Init_keeps_an_existing_config_and_secret_and_force_keeps_the_secret()
    {
        using var workspace = new CliWorkspace(config: null);
        await workspace.RunOkAsync(["init"]);
        var edited = await File.ReadAllTextAsync(workspace.ConfigFile, TestContext.Current.CancellationToken) + "# my own note\n";
        await File.WriteAllTextAsync(workspace.ConfigFile, edited, TestContext.Current.CancellationToken);
        var secret = await File.ReadAllBytesAsync(workspace.Data("jwt-secret"), TestContext.Current.CancellationToken);

        var again = await workspace.RunAsync("init");

        Assert.Equal(0, again.ExitCode);
        Assert.Equal(edited, await File.ReadAllTextAsync(workspace.ConfigFile, TestContext.Current.CancellationToken));
        Assert.Equal(secret, await File.ReadAllBytesAsync(workspace.Data("jwt-secret"), TestContext.Current.CancellationToken));

        var forced = await workspace.RunAsync("init", "--force");

        Assert.Equal(0, forced.ExitCode);
        Assert.DoesNotContain("# my own note", await File.ReadAllTextAsync(workspace.ConfigFile, TestContext.Current.CancellationToken));
        Assert.Equal(secret, await File.ReadAllBytesAsync(workspace.Data("jwt-secret"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Init_writes_the_file_that_serve_would_read_from_SIMPLESYNC_CONFIG()
    {
        using var workspace = new CliWorkspace(config: null);
        var variable = new Dictionary<string, string?> { ["SIMPLESYNC_CONFIG"] = "etc/simple-sync.toml" };

        var result = await workspace.RunAsync(["init"], environment: variable);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(workspace.File("etc/simple-sync.toml")));
        Assert.False(File.Exists(workspace.ConfigFile));
    }

    [Fact]
    public async Task Init_writes_the_file_named_by_config()
    {
        using var workspace = new CliWorkspace(config: null);

        var result = await workspace.RunAsync("init", "--config", "conf/custom.toml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(workspace.File("conf/custom.toml")));
        Assert.False(File.Exists(workspace.ConfigFile));
        Assert.Equal(0, (await workspace.RunAsync(["acl", "set", "-", "--config", "conf/custom.toml"], """{"rules": []}""")).ExitCode);
    }
}
