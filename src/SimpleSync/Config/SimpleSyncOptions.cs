namespace SimpleSync.Config;

/// <summary>
/// Everything the server and the CLI are configured with, validated once by <see cref="ConfigLoader"/>.
/// Defaults live here, in code; paths are absolute by the time anything reads them.
/// </summary>
internal sealed record SimpleSyncOptions
{
    public ServerSection Server { get; init; } = new();
    public StorageSection Storage { get; init; } = new();
    public AuthSection Auth { get; init; } = new();
    public LimitsSection Limits { get; init; } = new();
    public SyncSection Sync { get; init; } = new();
    public MetricsSection Metrics { get; init; } = new();

    /// <summary>The TOML file the options came from, or null when only defaults and environment were used.</summary>
    public string? SourceFile { get; init; }
}

internal sealed record ServerSection
{
    /// <summary>http://HOST:PORT, or https://HOST:PORT with <see cref="TlsCertificate"/> and <see cref="TlsKey"/>; port 0 picks a free port (tests).</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8080";

    /// <summary>A PEM certificate, with its chain after it; set together with <see cref="TlsKey"/>, or neither (plain HTTP).</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertificate"/>, unencrypted.</summary>
    public string? TlsKey { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Proxies whose X-Forwarded-For / Forwarded headers are believed; none by default.</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Origins (scheme://host[:port]) whose web apps may call the API from a browser, or "*"; none by default.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];
}

internal sealed record StorageSection
{
    /// <summary>As written in a config file, relative to the directory the server is started from.</summary>
    public const string DefaultSqlitePath = "data/simple-sync.db";

    public string Provider { get; init; } = "sqlite";
    public string SqlitePath { get; init; } = Path.GetFullPath(DefaultSqlitePath);

    /// <summary>The Npgsql connection string (from storage.postgres, or read from storage.postgres_file); never logged.</summary>
    public string Postgres { get; init; } = "";

    /// <summary>A file holding the connection string, so the password stays out of the config and the environment.</summary>
    public string PostgresFile { get; init; } = "";
}

internal sealed record AuthSection
{
    /// <summary>As written in a config file, relative to the directory the server is started from.</summary>
    public const string DefaultJwtSecretFile = "data/jwt-secret";

    public IReadOnlyList<string> Admins { get; init; } = ["admin"];
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>32 random bytes, base64; created with mode 0600 on first start. The initial admin password is written beside it.</summary>
    public string JwtSecretFile { get; init; } = Path.GetFullPath(DefaultJwtSecretFile);

    /// <summary>Failed logins one client address may make within <see cref="LoginWindow"/> before 429.</summary>
    public int LoginMaxFailures { get; init; } = 10;
    public TimeSpan LoginWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>PBKDF2 iterations for new password hashes. The config accepts no fewer than the default; tests set fewer in code.</summary>
    public int PasswordIterations { get; init; } = Auth.PasswordHasher.DefaultIterations;

    public bool IsAdmin(string username) => Admins.Contains(username, StringComparer.OrdinalIgnoreCase);
}

internal sealed record LimitsSection
{
    public long MaxBodyBytes { get; init; } = 16 * 1024 * 1024;
    public int MaxEventsPerPush { get; init; } = 10_000;
    public int MaxPayloadBytes { get; init; } = Protocol.EventRules.DefaultMaxPayloadBytes;
}

internal sealed record SyncSection
{
    /// <summary>A comment line on every live stream this often, so proxies keep idle connections open.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Events a live stream may have waiting before the server cuts it off as too slow.</summary>
    public int StreamBufferEvents { get; init; } = 10_000;

    /// <summary>A live stream is ended after this long; the client reconnects with Last-Event-ID.</summary>
    public TimeSpan StreamMaxLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Live streams one user may have open at once (several devices, several tabs); 429 beyond.</summary>
    public int MaxStreamsPerUser { get; init; } = 8;

    /// <summary>Live streams the server keeps open at once, in all; 429 beyond.</summary>
    public int MaxStreams { get; init; } = 10_000;
}

internal sealed record MetricsSection
{
    /// <summary>
    /// A file holding one secret that lets a scraper read GET /metrics and nothing else; null:
    /// only users' tokens are accepted there.
    /// </summary>
    public string? TokenFile { get; init; }
}
