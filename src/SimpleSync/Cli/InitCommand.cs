using SimpleSync.Auth;
using SimpleSync.Config;

namespace SimpleSync.Cli;

internal static class InitCommand
{
    public static CliCommand Command { get; } = new(
        "init", "[--force]", "Write a commented default config and create the JWT secret.",
        """
        Writes simple-sync.toml (or the file named by --config or $SIMPLESYNC_CONFIG) with every key
        at its default and a comment saying what it does, then creates the JWT secret file (mode 0600)
        if it is missing. An existing config is kept unless --force is given; the secret is always kept.
        """,
        0, 0, [], RunAsync)
    { Flags = ["--force"] };

    private const string Template = """
        # SimpleSync configuration. Every key can also be set with an environment variable
        # SIMPLESYNC_<SECTION>_<KEY>, for example SIMPLESYNC_SERVER_LISTEN. Relative paths are
        # relative to the directory the server is started from.

        [server]
        # Where to listen, as http://HOST:PORT, or https://HOST:PORT with the two TLS files below.
        listen = "http://127.0.0.1:8080"
        # TLS in the server itself, instead of a reverse proxy: a PEM certificate (its chain may
        # follow it, as in certbot's fullchain.pem) and its unencrypted PEM private key, both or
        # neither. The server then speaks HTTP/2 and HTTP/1.1, and picks up renewed files by itself.
        # tls_certificate = "/etc/letsencrypt/live/sync.example.com/fullchain.pem"
        # tls_key = "/etc/letsencrypt/live/sync.example.com/privkey.pem"
        # trace, debug, info, warning, error or none.
        log_level = "info"
        # Reverse proxies whose X-Forwarded-For / Forwarded headers are believed, as addresses or
        # networks such as "10.0.0.0/8". Empty: the headers are ignored (clients could forge them).
        trusted_proxies = []
        # Origins of web apps that may call the API from a browser, such as
        # "https://app.example.com", or "*" for any. Empty: browsers allow same-origin pages only.
        cors_origins = []

        [storage]
        # "sqlite" keeps everything in one file; "postgres" lets several servers share one database.
        provider = "sqlite"
        sqlite_path = "data/simple-sync.db"
        # For provider = "postgres", one of: a connection string ("Host=db;Database=simplesync;
        # Username=simplesync"; the password better in ~/.pgpass or the file below), or a file holding
        # one (mode 0600). Or set SIMPLESYNC_STORAGE_POSTGRES in the environment.
        postgres = ""
        # postgres_file = "/etc/simple-sync/postgres"

        [auth]
        # Usernames that may manage users and the ACL.
        admins = ["admin"]
        # How long a token from POST /auth/token is valid: s, m, h or d.
        token_lifetime = "7d"
        # 32 random bytes (base64), created with mode 0600 on first start. Keep it secret and back it up.
        jwt_secret_file = "data/jwt-secret"
        # Failed logins allowed per client address within login_window before 429.
        login_max_failures = 10
        login_window = "5m"
        # PBKDF2-SHA256 iterations for new password hashes (600000 at least).
        password_iterations = 600000

        [limits]
        # Largest request body in bytes (413 above it).
        max_body_bytes = 16777216
        # Most events in one push (413 above it).
        max_events_per_push = 10000
        # Largest payload of one event in UTF-8 bytes (that event is rejected above it).
        max_payload_bytes = 65536

        [sync]
        # A keep-alive comment on every live stream (GET /sync/stream) this often.
        heartbeat = "15s"
        # Events a live stream may have waiting before it is ended as too slow (the client resumes).
        stream_buffer_events = 10000
        # A live stream is ended after this long; clients reconnect with Last-Event-ID.
        stream_max_lifetime = "30m"
        # Live streams one user may have open at once, and the server in all (429 beyond either).
        max_streams_per_user = 8
        max_streams = 10000

        [metrics]
        # A file holding one secret of at least 32 characters (such as the output of
        # 'openssl rand -hex 32'), mode 0600. Sent as "Authorization: Bearer <secret>", it reads
        # GET /metrics and nothing else, and never expires; the file is read again at each scrape.
        # Unset: /metrics takes users' tokens only.
        # token_file = "data/metrics-token"

        """;

    private static Task<int> RunAsync(CliContext cli)
    {
        var force = cli.Flag("--force");
        // The same file serve would read: --config, else $SIMPLESYNC_CONFIG, else ./simple-sync.toml.
        var named = cli.Option("--config") ?? cli.Environment.GetValueOrDefault(ConfigLoader.ConfigFileVariable);
        if (named is { Length: 0 })
            throw new UsageException($"init: {ConfigLoader.ConfigFileVariable} is empty");
        var file = Path.GetFullPath(named ?? ConfigLoader.DefaultFile);
        if (File.Exists(file) && !force)
        {
            cli.Out.WriteLine($"kept {file}, which already exists (use --force to overwrite it)");
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, Template);
            cli.Out.WriteLine($"wrote {file}");
        }
        var options = ConfigLoader.Load(file, cli.Environment);
        var existed = File.Exists(options.Auth.JwtSecretFile);
        SigningKey.LoadOrCreate(options.Auth.JwtSecretFile);
        cli.Out.WriteLine($"{(existed ? "kept" : "created")} the JWT secret {options.Auth.JwtSecretFile}");
        return Task.FromResult(CliApp.Ok);
    }
}
