using System.Net;
using System.Net.Sockets;
using SimpleSync.Testing;

namespace SimpleSync.Tests.Cli;

/// <summary>The config file and SIMPLESYNC_* variables, as the executable reads them at start-up.</summary>
public sealed class ConfigTests
{
    public static TheoryData<string, string, string[]> BadConfigs => new()
    {
        { "an unknown key", "[server]\nlisen = \"http://127.0.0.1:0\"", ["server.lisen", "unknown key"] },
        { "an unknown section", "[servr]\nlisten = \"http://127.0.0.1:0\"", ["servr.listen", "unknown key"] },
        { "a key outside any section", "listen = \"http://127.0.0.1:0\"", ["listen", "unknown key"] },
        { "a listen address that is not http", "[server]\nlisten = \"ftp://x\"", ["server.listen", "ftp://x"] },
        { "localhost with port 0", "[server]\nlisten = \"http://localhost:0\"", ["server.listen", "localhost"] },
        { "a listen address with a path", "[server]\nlisten = \"http://127.0.0.1:8080/sync\"", ["server.listen", "/sync"] },
        { "a listen address of the wrong TOML type", "[server]\nlisten = 8080", ["server.listen", "must be a string"] },
        { "a duration in words", "[auth]\ntoken_lifetime = \"7 weeks\"", ["auth.token_lifetime"] },
        { "a negative size", "[limits]\nmax_body_bytes = -1", ["limits.max_body_bytes", "-1"] },
        { "a number given as a string", "[limits]\nmax_events_per_push = \"100\"", ["limits.max_events_per_push", "integer"] },
        { "a fractional number", "[auth]\nlogin_max_failures = 1.5", ["auth.login_max_failures", "integer"] },
        { "admins as a string instead of an array", "[auth]\nadmins = \"admin\"", ["auth.admins", "array"] },
        { "an unknown log level", "[server]\nlog_level = \"loud\"", ["server.log_level"] },
        { "an unknown storage provider", "[storage]\nprovider = \"mysql\"", ["storage.provider"] },
        { "postgres without a connection string", "[storage]\nprovider = \"postgres\"", ["storage.postgres", "storage.postgres_file"] },
        { "postgres with both a string and a file", "[storage]\nprovider = \"postgres\"\npostgres = \"Host=db\"\npostgres_file = \"pg\"", ["storage.postgres", "not both"] },
        { "a connection string with an unknown keyword", "[storage]\npostgres = \"Host=db;Colour=blue\"", ["storage.postgres", "colour"] },
        { "a connection string without a host", "[storage]\npostgres = \"Database=simplesync\"", ["storage.postgres", "naming a host"] },
        { "a token file that is a device without end", "[metrics]\ntoken_file = \"/dev/zero\"", ["metrics.token_file", "/dev/zero", "larger than"] },
        { "a connection string file that is a device without end", "[storage]\nprovider = \"postgres\"\npostgres_file = \"/dev/zero\"", ["storage.postgres_file", "larger than"] },
        { "a connection string file that is missing", "[storage]\nprovider = \"postgres\"\npostgres_file = \"no-such-file\"", ["storage.postgres_file", "no-such-file"] },
        { "the same key twice", "[server]\nlisten = \"http://127.0.0.1:0\"\nlisten = \"http://127.0.0.1:1\"", ["line 3", "listen"] },
        { "the same section twice", "[server]\nlog_level = \"info\"\n[server]\nlisten = \"http://127.0.0.1:0\"", ["line 3", "server"] },
        { "a section header left open", "[server]\nlisten = \"http://127.0.0.1:0\"\n[auth\nadmins = []", ["line 3", "not valid TOML"] },
        { "a string left open", "[server]\nlisten = \"http://127.0.0.1:0", ["line 2", "not valid TOML"] },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task A_bad_config_stops_serve_with_exit_code_2_and_one_line_naming_the_key_and_the_file(
        string what, string toml, string[] named)
    {
        using var workspace = new CliWorkspace(config: null);
        var file = workspace.Write("bad.toml", toml);

        var result = await workspace.RunAsync("serve", "--config", file);

        result.AssertConfigRefused(what, [file, .. named]);
        Assert.False(Directory.Exists(workspace.Data("")), "a server that refused its config must not create its data directory");
    }

    [Fact]
    public async Task Every_bad_key_of_a_file_is_named_in_the_one_line()
    {
        using var workspace = new CliWorkspace(config: null);
        var file = workspace.Write("bad.toml", """
            [server]
            listen = "ftp://x"
            lisen = "http://127.0.0.1:0"
            [auth]
            token_lifetime = "7 weeks"
            admins = "admin"
            [limits]
            max_body_bytes = -1
            [extra]
            thing = 1
            """);

        var result = await workspace.RunAsync("user", "list", "--config", file);

        Assert.Equal(2, result.ExitCode);
        var line = result.SingleErrorLine;
        Assert.Contains(file, line);
        foreach (var key in new[] { "server.listen", "server.lisen", "auth.token_lifetime", "auth.admins", "limits.max_body_bytes", "extra.thing" })
            Assert.Contains(key, line);
    }

    [Fact]
    public async Task A_config_file_that_does_not_exist_is_named_with_exit_code_2()
    {
        using var workspace = new CliWorkspace(config: null);

        var explicitFile = await workspace.RunAsync("user", "list", "--config", "missing.toml");
        var fromVariable = await workspace.RunAsync(["user", "list"],
            environment: new Dictionary<string, string?> { ["SIMPLESYNC_CONFIG"] = "elsewhere/also-missing.toml" });

        Assert.Equal(2, explicitFile.ExitCode);
        Assert.Contains(workspace.File("missing.toml"), explicitFile.SingleErrorLine);
        Assert.Equal(2, fromVariable.ExitCode);
        Assert.Contains(workspace.File("elsewhere/also-missing.toml"), fromVariable.SingleErrorLine);
    }

    public static TheoryData<string, string, string> BadVariables => new()
    {
        { "SIMPLESYNC_FOO_BAR", "1", "unknown key" },
        { "SIMPLESYNC_SERVER_LISEN", "http://127.0.0.1:0", "unknown key" },
        { "SIMPLESYNC_SERVER_LISTEN", "ftp://x", "ftp://x" },
        { "SIMPLESYNC_LIMITS_MAX_BODY_BYTES", "lots", "integer" },
        { "SIMPLESYNC_AUTH_TOKEN_LIFETIME", "forever", "duration" },
        { "SIMPLESYNC_AUTH_ADMINS", "admin,not a name", "not a name" },
    };

    [Theory]
    [MemberData(nameof(BadVariables))]
    public async Task A_bad_SIMPLESYNC_variable_is_an_error_naming_the_variable(string name, string value, string named)
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync(["user", "list"], environment: new Dictionary<string, string?> { [name] = value });

        Assert.Equal(2, result.ExitCode);
        var line = result.SingleErrorLine;
        Assert.Contains(name, line);
        Assert.Contains(named, line);
    }

    [Fact]
    public async Task SIMPLESYNC_CONFIG_names_the_file_and_config_takes_precedence_over_it()
    {
        using var workspace = new CliWorkspace(config: null);
        workspace.Write("simple-sync.toml", "[storage]\nsqlite_path = \"data/default.db\"\n");
        workspace.Write("from-variable.toml", "[storage]\nsqlite_path = \"data/from-variable.db\"\n");
        workspace.Write("from-option.toml", "[storage]\nsqlite_path = \"data/from-option.db\"\n");
        var variable = new Dictionary<string, string?> { ["SIMPLESYNC_CONFIG"] = "from-variable.toml" };

        var first = await workspace.RunAsync(["acl", "set", "-"], """{"rules": []}""", variable);
        var second = await workspace.RunAsync(["acl", "set", "-", "--config", "from-option.toml"], """{"rules": []}""", variable);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, $"{first}\n{second}");
        Assert.Equal(["from-option.db", "from-variable.db"],
            Directory.GetFiles(workspace.Data(""), "*.db").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SIMPLESYNC_variables_override_the_file()
    {
        using var workspace = new CliWorkspace(config: null);
        // The file names a port that is taken: the server can only start if the variable wins.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        workspace.Write("simple-sync.toml", $"""
            [server]
            listen = "http://127.0.0.1:{takenPort}"
            log_level = "warning"
            [storage]
            sqlite_path = "data/from-file.db"
            [auth]
            admins = ["admin"]
            """);
        var environment = new Dictionary<string, string?>
        {
            ["SIMPLESYNC_SERVER_LISTEN"] = "http://127.0.0.1:0",
            ["SIMPLESYNC_STORAGE_SQLITE_PATH"] = "data/from-env.db",
            ["SIMPLESYNC_AUTH_ADMINS"] = "admin, alice",
        };

        await using (var server = await ServerProcess.StartAsync(workspace.Path, environment: environment, ct: TestContext.Current.CancellationToken))
            Assert.NotEqual(takenPort, server.BaseAddress.Port);
        await workspace.RunAsync(["user", "add", "alice"], "alice-password\n", environment);
        var list = await workspace.RunAsync(["user", "list"], environment: environment);

        Assert.True(File.Exists(workspace.Data("from-env.db")));
        Assert.False(File.Exists(workspace.Data("from-file.db")));
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(list.StdoutLines, l => l.Split('\t') is [_, "alice", "admin", _]);
    }

    [Fact]
    public async Task The_server_listens_only_on_server_listen_whatever_appsettings_or_ASPNETCORE_variables_say()
    {
        using var workspace = new CliWorkspace();
        var (kestrelPort, urlsPort, variablePort, dotnetPort) = (FreePort(), FreePort(), FreePort(), FreePort());
        var appsettings = $$"""
            {
              "Kestrel": { "Endpoints": { "Http": { "Url": "http://127.0.0.1:{{kestrelPort}}" } } },
              "urls": "http://127.0.0.1:{{urlsPort}}"
            }
            """;
        workspace.Write("appsettings.json", appsettings);
        workspace.Write("appsettings.Production.json", appsettings);
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{variablePort}",
            ["DOTNET_URLS"] = $"http://127.0.0.1:{dotnetPort}",
            ["ASPNETCORE_HTTP_PORTS"] = $"{dotnetPort}",
        };

        await using var server = await ServerProcess.StartAsync(workspace.Path, environment: environment, ct: TestContext.Current.CancellationToken);

        using var client = server.NewClient();
        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var port in new[] { kestrelPort, urlsPort, variablePort, dotnetPort })
            Assert.False(await AcceptsConnectionsAsync(port), $"something listens on port {port}, which only the framework's sources name");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
