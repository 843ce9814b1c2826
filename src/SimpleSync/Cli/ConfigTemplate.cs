using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SimpleSync.Auth;
using SimpleSync.Config;

namespace SimpleSync.Cli;

/// <summary>
/// The config file init writes: every key with a comment, at the value the code defaults to. The
/// values are taken from the option records, so a changed default changes the file with it.
/// </summary>
internal static class ConfigTemplate
{
    public static string Text { get; } = Write(new SimpleSyncOptions());

    private static string Write(SimpleSyncOptions defaults)
    {
        var (server, storage, auth, limits, sync) = (defaults.Server, defaults.Storage, defaults.Auth, defaults.Limits, defaults.Sync);
        return $"""
            # SimpleSync configuration. Every key can also be set with an environment variable
            # SIMPLESYNC_<SECTION>_<KEY>, for example SIMPLESYNC_SERVER_LISTEN. Relative paths are
            # relative to the directory the server is started from.

            [server]
            # Where to listen, as http://HOST:PORT, or https://HOST:PORT with the two TLS files below.
            listen = {Quote(server.Listen)}
            # TLS in the server itself, instead of a reverse proxy: a PEM certificate (its chain may
            # follow it, as in certbot's fullchain.pem) and its unencrypted PEM private key, both or
            # neither. The server then speaks HTTP/2 and HTTP/1.1, and picks up renewed files by itself.
            # tls_certificate = "/etc/letsencrypt/live/sync.example.com/fullchain.pem"
            # tls_key = "/etc/letsencrypt/live/sync.example.com/privkey.pem"
            # trace, debug, info, warning, error or none.
            log_level = {Quote(ConfigLoader.LogLevelName(server.LogLevel))}
            # Reverse proxies whose X-Forwarded-For / Forwarded headers are believed, as addresses or
            # networks such as "10.0.0.0/8". Empty: the headers are ignored (clients could forge them).
            trusted_proxies = {List(server.TrustedProxies.Select(p => p.ToString()))}
            # Origins of web apps that may call the API from a browser, such as
            # "https://app.example.com", or "*" for any. Empty: browsers allow same-origin pages only.
            cors_origins = {List(server.CorsOrigins)}

            [storage]
            # "sqlite" keeps everything in one file; "postgres" lets several servers share one database.
            provider = {Quote(storage.Provider)}
            sqlite_path = {Quote(StorageSection.DefaultSqlitePath)}
            # For provider = "postgres", one of: a connection string ("Host=db;Database=simplesync;
            # Username=simplesync"; the password better in ~/.pgpass or the file below), or a file holding
            # one (mode 0600). Or set SIMPLESYNC_STORAGE_POSTGRES in the environment.
            postgres = {Quote(storage.Postgres)}
            # postgres_file = "/etc/simple-sync/postgres"

            [auth]
            # Usernames that may manage users and the ACL.
            admins = {List(auth.Admins)}
            # How long a token from POST /auth/token is valid: s, m, h or d.
            token_lifetime = {Duration(auth.TokenLifetime)}
            # 32 random bytes (base64), created with mode 0600 on first start. Keep it secret and back it up.
            jwt_secret_file = {Quote(AuthSection.DefaultJwtSecretFile)}
            # Failed logins allowed per client address within login_window before 429.
            login_max_failures = {Number(auth.LoginMaxFailures)}
            login_window = {Duration(auth.LoginWindow)}
            # PBKDF2-SHA256 iterations for new password hashes ({Number(PasswordHasher.DefaultIterations)} at least).
            password_iterations = {Number(auth.PasswordIterations)}

            [limits]
            # Largest request body in bytes (413 above it).
            max_body_bytes = {Number(limits.MaxBodyBytes)}
            # Most events in one push (413 above it).
            max_events_per_push = {Number(limits.MaxEventsPerPush)}
            # Largest payload of one event in UTF-8 bytes (that event is rejected above it).
            max_payload_bytes = {Number(limits.MaxPayloadBytes)}

            [sync]
            # A keep-alive comment on every live stream (GET /sync/stream) this often.
            heartbeat = {Duration(sync.Heartbeat)}
            # Events a live stream may have waiting before it is ended as too slow (the client resumes).
            stream_buffer_events = {Number(sync.StreamBufferEvents)}
            # A live stream is ended after this long; clients reconnect with Last-Event-ID.
            stream_max_lifetime = {Duration(sync.StreamMaxLifetime)}
            # Live streams one user may have open at once, and the server in all (429 beyond either).
            max_streams_per_user = {Number(sync.MaxStreamsPerUser)}
            max_streams = {Number(sync.MaxStreams)}

            [metrics]
            # A file holding one secret of at least 32 characters (such as the output of
            # 'openssl rand -hex 32'), mode 0600. Sent as "Authorization: Bearer <secret>", it reads
            # GET /metrics and nothing else, and never expires; the file is read again at each scrape.
            # Unset: /metrics takes users' tokens only.
            # token_file = "data/metrics-token"

            """;
    }

    /// <summary>A TOML basic string. A JSON string is one: the same quotes and escapes.</summary>
    private static string Quote(string value) => $"\"{JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";

    private static string List(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Quote))}]";

    private static string Duration(TimeSpan value) => Quote(ConfigValue.Format(value));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
