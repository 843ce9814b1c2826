using System.Net;
using SimpleSync.Admin;
using SimpleSync.Auth;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace SimpleSync.Config;

/// <summary>
/// Reads the TOML file and the <c>SIMPLESYNC_&lt;SECTION&gt;_&lt;KEY&gt;</c> environment variables
/// into one <see cref="SimpleSyncOptions"/>, collecting every problem before failing. Nothing
/// below Program reads files or the environment for configuration.
/// </summary>
internal static class ConfigLoader
{
    public const string DefaultFile = "simple-sync.toml";
    public const string EnvPrefix = "SIMPLESYNC_";
    public const string ConfigFileVariable = "SIMPLESYNC_CONFIG";

    private const int MaxSyntaxErrors = 5;

    private delegate SimpleSyncOptions? Setter(SimpleSyncOptions options, object raw, out string? problem);

    private static readonly Dictionary<string, Setter> Keys = new(StringComparer.Ordinal)
    {
        ["server.listen"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v && CheckListen(v, out p) ? o with { Server = o.Server with { Listen = v } } : null,
        ["server.tls_certificate"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v ? o with { Server = o.Server with { TlsCertificate = OptionalPath(v) } } : null,
        ["server.tls_key"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v ? o with { Server = o.Server with { TlsKey = OptionalPath(v) } } : null,
        ["server.log_level"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ParseLogLevel(raw, out p) is { } v ? o with { Server = o.Server with { LogLevel = v } } : null,
        ["server.trusted_proxies"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.StringList(raw, out p) is { } v && ParseNetworks(v, out p) is { } networks
                ? o with { Server = o.Server with { TrustedProxies = networks } } : null,
        ["server.cors_origins"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.StringList(raw, out p) is { } v && ParseOrigins(v, out p) is { } origins
                ? o with { Server = o.Server with { CorsOrigins = origins } } : null,
        ["storage.provider"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v && Check(v is "sqlite" or "postgres", "must be \"sqlite\" or \"postgres\"", out p)
                ? o with { Storage = o.Storage with { Provider = v } } : null,
        ["storage.sqlite_path"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v && Check(v.Length > 0, "must not be empty", out p)
                ? o with { Storage = o.Storage with { SqlitePath = Path.GetFullPath(v) } } : null,
        ["storage.postgres"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v && CheckConnectionString(v, out p) ? o with { Storage = o.Storage with { Postgres = v } } : null,
        ["storage.postgres_file"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v && Check(v.Length > 0, "must not be empty", out p)
                ? o with { Storage = o.Storage with { PostgresFile = Path.GetFullPath(v) } } : null,
        ["auth.admins"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.StringList(raw, out p) is { } v && CheckAdmins(v, out p) ? o with { Auth = o.Auth with { Admins = v } } : null,
        ["auth.token_lifetime"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Duration(raw, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365), out p) is { } v
                ? o with { Auth = o.Auth with { TokenLifetime = v } } : null,
        ["auth.jwt_secret_file"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v && Check(v.Length > 0, "must not be empty", out p)
                ? o with { Auth = o.Auth with { JwtSecretFile = Path.GetFullPath(v) } } : null,
        ["auth.login_max_failures"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 1, 10_000, out p) is { } v ? o with { Auth = o.Auth with { LoginMaxFailures = (int)v } } : null,
        ["auth.login_window"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Duration(raw, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), out p) is { } v
                ? o with { Auth = o.Auth with { LoginWindow = v } } : null,
        ["auth.password_iterations"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, PasswordHasher.DefaultIterations, 100_000_000, out p) is { } v
                ? o with { Auth = o.Auth with { PasswordIterations = (int)v } } : null,
        ["limits.max_body_bytes"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 1024, 1L << 30, out p) is { } v ? o with { Limits = o.Limits with { MaxBodyBytes = v } } : null,
        ["limits.max_events_per_push"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 1, 1_000_000, out p) is { } v ? o with { Limits = o.Limits with { MaxEventsPerPush = (int)v } } : null,
        ["limits.max_payload_bytes"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 1, 1L << 30, out p) is { } v ? o with { Limits = o.Limits with { MaxPayloadBytes = (int)v } } : null,
        ["sync.heartbeat"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Duration(raw, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), out p) is { } v
                ? o with { Sync = o.Sync with { Heartbeat = v } } : null,
        ["sync.stream_buffer_events"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 100, 10_000_000, out p) is { } v ? o with { Sync = o.Sync with { StreamBufferEvents = (int)v } } : null,
        ["sync.stream_max_lifetime"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Duration(raw, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), out p) is { } v
                ? o with { Sync = o.Sync with { StreamMaxLifetime = v } } : null,
        ["sync.max_streams_per_user"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 1, 10_000, out p) is { } v ? o with { Sync = o.Sync with { MaxStreamsPerUser = (int)v } } : null,
        ["sync.max_streams"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Integer(raw, 1, 1_000_000, out p) is { } v ? o with { Sync = o.Sync with { MaxStreams = (int)v } } : null,
        ["metrics.token_file"] = (SimpleSyncOptions o, object raw, out string? p) =>
            ConfigValue.Text(raw, out p) is { } v ? o with { Metrics = o.Metrics with { TokenFile = OptionalPath(v) } } : null,
    };

    /// <summary>Every key as "section.key", for help texts and the default config.</summary>
    public static IEnumerable<string> KeyNames => Keys.Keys;

    /// <summary>
    /// Loads the configuration. <paramref name="explicitFile"/> (from --config) must exist;
    /// otherwise <c>SIMPLESYNC_CONFIG</c>, then ./simple-sync.toml if present, then defaults only.
    /// Throws <see cref="ConfigException"/> naming every bad key.
    /// </summary>
    public static SimpleSyncOptions Load(string? explicitFile, IReadOnlyDictionary<string, string> environment)
    {
        var file = explicitFile ?? environment.GetValueOrDefault(ConfigFileVariable);
        if (file is { Length: 0 })
            throw new ConfigException(explicitFile is null ? ConfigFileVariable : "--config", ["the config file name is empty"]);
        if (file is null && File.Exists(DefaultFile))
            file = DefaultFile;
        file = file is null ? null : Path.GetFullPath(file);
        if (file is not null && !File.Exists(file))
            throw new ConfigException(file, [Directory.Exists(file) ? "is a directory, not a file" : "the file does not exist"]);

        var options = new SimpleSyncOptions { SourceFile = file };
        var problems = new List<string>();
        if (file is not null)
            options = ApplyFile(options, file, problems);
        var fromFile = problems.Count;
        options = ApplyEnvironment(options, environment, problems);
        var fromEnvironment = problems.Count - fromFile;
        CheckWhole(options, problems);
        options = ReadPostgresFile(options, problems);
        if (problems.Count == 0)
            return options;
        // Name where the bad values came from: the file, the SIMPLESYNC_* variables, or both.
        var source = (file, fromFile, fromEnvironment) switch
        {
            (null, _, _) => "the environment",
            (_, 0, > 0) => $"the environment (with {file})",
            (_, > 0, > 0) => $"{file} and the environment",
            _ => file,
        };
        throw new ConfigException(source, problems);
    }

    private static SimpleSyncOptions ApplyFile(SimpleSyncOptions options, string file, List<string> problems)
    {
        string text;
        try
        {
            text = ConfigFiles.ReadText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"cannot be read: {ex.Message}");
            return options;
        }
        // The syntax tree with validation first: it reports every error with its place,
        // including keys and tables defined twice, which deserialising alone lets the last win.
        var syntax = SyntaxParser.Parse(text, file, validate: true);
        if (syntax.HasErrors)
        {
            foreach (var error in syntax.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).Take(MaxSyntaxErrors))
                problems.Add($"line {error.Span.Start.Line + 1}, column {error.Span.Start.Column + 1}: not valid TOML: {error.Message.ReplaceLineEndings(" ")}");
            return options;
        }
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = file }) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            var where = ex.Line is { } line ? $"line {line}, column {ex.Column}: " : "";
            problems.Add($"{where}not valid TOML: {ex.Diagnostics?.FirstOrDefault()?.Message ?? ex.Message.ReplaceLineEndings(" ")}");
            return options;
        }
        foreach (var (section, value) in root)
        {
            if (value is not TomlTable table)
            {
                problems.Add($"{section}: unknown key (settings belong in a section such as [server])");
                continue;
            }
            foreach (var (key, raw) in table)
                options = Set(options, $"{section}.{key}", $"{section}.{key}", raw, problems);
        }
        return options;
    }

    private static SimpleSyncOptions ApplyEnvironment(SimpleSyncOptions options, IReadOnlyDictionary<string, string> environment, List<string> problems)
    {
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(EnvPrefix, StringComparison.Ordinal) || name == ConfigFileVariable)
                continue;
            var key = Keys.Keys.FirstOrDefault(k => EnvName(k) == name) ?? name;
            options = Set(options, key, name, new EnvironmentText(value), problems);
        }
        return options;
    }

    public static string EnvName(string key) => EnvPrefix + key.Replace('.', '_').ToUpperInvariant();

    private static SimpleSyncOptions Set(SimpleSyncOptions options, string key, string shownAs, object raw, List<string> problems)
    {
        if (!Keys.TryGetValue(key, out var setter))
        {
            problems.Add($"{shownAs}: unknown key");
            return options;
        }
        var updated = setter(options, raw, out var problem);
        if (updated is not null)
            return updated;
        problems.Add($"{shownAs}: {problem}");
        return options;
    }

    private static void CheckWhole(SimpleSyncOptions options, List<string> problems)
    {
        if (options.Storage.Provider == "postgres" && (options.Storage.Postgres.Length > 0) == (options.Storage.PostgresFile.Length > 0))
            problems.Add("storage.postgres: with storage.provider = \"postgres\", set either storage.postgres (a connection string) or storage.postgres_file (a file holding one), not both");
        if (options.Limits.MaxPayloadBytes > options.Limits.MaxBodyBytes)
            problems.Add("limits.max_payload_bytes: must not be larger than limits.max_body_bytes");
        CheckTls(options.Server, problems);
    }

    /// <summary>
    /// storage.postgres_file: the connection string lives in a file of its own (mode 0600, or a
    /// systemd credential), so its password is neither in the config file nor in the environment.
    /// </summary>
    private static SimpleSyncOptions ReadPostgresFile(SimpleSyncOptions options, List<string> problems)
    {
        var file = options.Storage.PostgresFile;
        if (options.Storage.Provider != "postgres" || file.Length == 0 || options.Storage.Postgres.Length > 0)
            return options;
        string text;
        try
        {
            text = ConfigFiles.ReadText(file).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"storage.postgres_file: {file} cannot be read: {ex.Message}");
            return options;
        }
        if (!CheckConnectionString(text, out var problem))
        {
            problems.Add($"storage.postgres_file: {file}: {problem}");
            return options;
        }
        return options with { Storage = options.Storage with { Postgres = text } };
    }

    /// <summary>An Npgsql connection string naming a host. Problems never repeat the value: it may hold a password.</summary>
    private static bool CheckConnectionString(string value, out string? problem)
    {
        if (value.Length == 0)
            return Check(true, "", out problem);
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(value);
            return Check(!string.IsNullOrWhiteSpace(builder.Host),
                "is not a PostgreSQL connection string naming a host, like \"Host=db.internal;Database=simplesync;Username=simplesync\"", out problem);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's own message names the keyword, never the value (the inner exception may).
            return Check(false, $"is not a PostgreSQL connection string ({ex.Message})", out problem);
        }
    }

    /// <summary>
    /// The two TLS files come as a pair, and the scheme of server.listen says which is meant, so a
    /// server never falls back to plain HTTP because one key was left out. Whether the files are
    /// usable is checked when the server starts (ServerCertificate), not here: every CLI command
    /// loads this config, and most of them never read the certificate.
    /// </summary>
    private static void CheckTls(ServerSection server, List<string> problems)
    {
        var (certificate, key) = (server.TlsCertificate is not null, server.TlsKey is not null);
        if (certificate && !key)
            problems.Add("server.tls_key: must be set too when server.tls_certificate is (the certificate's PEM private key)");
        if (key && !certificate)
            problems.Add("server.tls_certificate: must be set too when server.tls_key is (the PEM certificate the key belongs to)");
        var https = server.Listen.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        if (https && !certificate && !key)
            problems.Add($"server.listen: https:// needs server.tls_certificate and server.tls_key (PEM files); without them use http:// (got \"{server.Listen}\")");
        if (!https && certificate && key)
            problems.Add($"server.listen: must be https://HOST:PORT when server.tls_certificate and server.tls_key are set (got \"{server.Listen}\")");
    }

    /// <summary>An optional file: empty text means none, so a variable can switch off what the file set.</summary>
    private static string? OptionalPath(string value) => string.IsNullOrWhiteSpace(value) ? null : Path.GetFullPath(value);

    private static bool Check(bool ok, string problem, out string? result)
    {
        result = ok ? null : problem;
        return ok;
    }

    private static bool CheckAdmins(IReadOnlyList<string> admins, out string? problem)
    {
        var bad = admins.FirstOrDefault(a => UserRules.CheckUsername(a) is not null);
        return Check(bad is null, $"'{bad}' is not a valid username", out problem);
    }

    /// <summary>"https://app.example.com", "http://localhost:5173" (a trailing "/" is dropped), or "*" for any origin.</summary>
    private static IReadOnlyList<string>? ParseOrigins(IReadOnlyList<string> values, out string? problem)
    {
        var origins = new List<string>();
        foreach (var value in values)
        {
            if (value == "*")
            {
                origins.Add(value);
                continue;
            }
            var ok = Uri.TryCreate(value, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
                && !value.Contains('*', StringComparison.Ordinal);
            if (!ok)
            {
                problem = $"'{value}' is not an origin such as https://app.example.com (scheme, host and port only) or \"*\"";
                return null;
            }
            origins.Add(uri!.GetLeftPart(UriPartial.Authority));
        }
        problem = null;
        return origins;
    }

    /// <summary>"10.0.0.1", "10.0.0.0/8", "2001:db8::/32": an address is a network of one.</summary>
    private static IReadOnlyList<IPNetwork>? ParseNetworks(IReadOnlyList<string> values, out string? problem)
    {
        var networks = new List<IPNetwork>();
        foreach (var value in values)
        {
            if (IPNetwork.TryParse(value, out var network))
                networks.Add(network);
            else if (IPAddress.TryParse(value, out var address) && !value.Contains('/', StringComparison.Ordinal))
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else
            {
                problem = $"'{value}' is not an IP address or a network such as 10.0.0.0/8";
                return null;
            }
        }
        problem = null;
        return networks;
    }

    /// <summary>The names server.log_level takes; "information" is read as "info" too.</summary>
    private static readonly (string Name, LogLevel Level)[] LogLevels =
    [
        ("trace", LogLevel.Trace),
        ("debug", LogLevel.Debug),
        ("info", LogLevel.Information),
        ("warning", LogLevel.Warning),
        ("error", LogLevel.Error),
        ("none", LogLevel.None),
    ];

    /// <summary>The level as server.log_level spells it.</summary>
    public static string LogLevelName(LogLevel level) => LogLevels.First(l => l.Level == level).Name;

    private static LogLevel? ParseLogLevel(object raw, out string? problem)
    {
        var text = ConfigValue.Text(raw, out problem);
        if (text == "information")
            return LogLevel.Information;
        foreach (var (name, level) in LogLevels)
        {
            if (name == text)
                return level;
        }
        problem = $"must be one of {string.Join(", ", LogLevels.Select(l => $"\"{l.Name}\""))}";
        return null;
    }

    /// <summary>
    /// Listen addresses are http://HOST:PORT or https://HOST:PORT with an IP address or localhost;
    /// whether https fits the TLS keys is checked once every key is read (<see cref="CheckTls"/>).
    /// </summary>
    private static bool CheckListen(string value, out string? problem)
    {
        var ok = Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            && (uri.Host == "localhost" || IPAddress.TryParse(uri.Host, out _));
        if (!ok)
            return Check(false, $"must be http://HOST:PORT or https://HOST:PORT with an IP address or localhost, like http://127.0.0.1:8080 (got \"{value}\")", out problem);
        // Kestrel binds localhost as two sockets (IPv4 and IPv6), which cannot share one free port.
        return Check(!(uri!.Host == "localhost" && uri.Port == 0),
            $"port 0 (any free port) needs an IP address such as 127.0.0.1, not localhost (got \"{value}\")", out problem);
    }
}
