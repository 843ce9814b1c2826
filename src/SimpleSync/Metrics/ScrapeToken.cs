using System.Security.Cryptography;
using System.Text;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Metrics;

/// <summary>
/// The secret in metrics.token_file, which lets a monitoring system read GET /metrics without a
/// user's token: tokens expire after a week, and any user's token also reads the whole history.
/// It is accepted only on endpoints that carry <see cref="ScrapeTokenAccepted"/>, and it never
/// expires; the file is read again whenever it has changed (looked at on every scrape), so
/// replacing it changes the secret at once.
/// </summary>
internal sealed partial class ScrapeToken
{
    public const string Key = "metrics.token_file";
    public const int MinLength = 32;

    /// <summary>What the request log shows as the user of a scrape.</summary>
    public const string Name = "metrics-token";

    private readonly string? _path;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private byte[]? _hash;
    private string? _problem;
    private ConfigFiles.Stamp _stamp;

    public ScrapeToken(SimpleSyncOptions options, ILogger<ScrapeToken> logger)
    {
        (_path, _logger) = (options.Metrics.TokenFile, logger);
        if (_path is null)
            return;
        // A warning, not a refusal as for the JWT secret: this one only reads counters.
        if (FilePrivacy.Check(_path) is { } exposure)
            Exposed(logger, _path, exposure.Reason, exposure.Fix);
        _stamp = ConfigFiles.Stamp.Of(_path);
        Refresh();
    }

    /// <summary>At start-up: a file that is missing, unreadable or too short is bad configuration.</summary>
    public static void Check(MetricsSection metrics, List<string> problems)
    {
        if (metrics.TokenFile is { } path && Read(path, out _) is { } problem)
            problems.Add($"{Key}: {problem}");
    }

    /// <summary>Whether <paramref name="presented"/> is the secret now in the file (read again only if it changed).</summary>
    public bool Accepts(string presented) => _path is not null && Matches(Current(), presented);

    /// <summary>Whether <paramref name="presented"/> is the secret as last read, without reading the file: to log why a token was refused.</summary>
    public bool WasPresented(string presented) => Matches(Volatile.Read(ref _hash), presented);

    private static bool Matches(byte[]? hash, string presented) =>
        // Equal-length hashes, compared in constant time: the answer's timing says nothing about the secret.
        hash is not null && CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    private byte[]? Current()
    {
        // A look at the file's size and time per request; a read only when they changed, so a
        // flood of wrong tokens at /metrics costs no file reads.
        var stamp = ConfigFiles.Stamp.Of(_path!);
        lock (_gate)
        {
            if (stamp != _stamp)
            {
                _stamp = stamp;
                Refresh();
            }
        }
        return Volatile.Read(ref _hash);
    }

    /// <summary>Reads the file; called at construction and under the gate.</summary>
    private void Refresh()
    {
        var problem = Read(_path!, out var secret);
        Volatile.Write(ref _hash, secret is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        // Once per new problem. The secret itself is never logged.
        if (problem is not null && problem != _problem)
            Unusable(_logger, problem);
        _problem = problem;
    }

    /// <returns>The problem with the file, naming it, or null with the secret in <paramref name="secret"/>.</returns>
    private static string? Read(string path, out string? secret)
    {
        secret = null;
        if (Directory.Exists(path))
            return $"{path}: is a directory, not a file";
        string text;
        try
        {
            text = ConfigFiles.ReadText(path).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"{path}: the file does not exist (write one secret of at least {MinLength} characters to it, such as the output of 'openssl rand -hex 32')";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{path}: cannot be read: {ex.Message}";
        }
        // Visible ASCII only, as a bearer token is sent: a line break or space would end up in the middle of the header.
        if (text.Any(c => c is < '!' or > '~'))
            return $"{path}: must hold one secret of visible ASCII characters, without spaces or line breaks inside it";
        if (text.Length < MinLength)
            return $"{path}: the secret has {text.Length} characters; it needs at least {MinLength}, such as the output of 'openssl rand -hex 32'";
        secret = text;
        return null;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Path}: the metrics token should be private to the user running the server, but {Reason}; fix: {Fix}")]
    private static partial void Exposed(ILogger logger, string path, string reason, string fix);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "metrics.token_file: {Problem}; no scrape is accepted with a metrics token until it is fixed")]
    private static partial void Unusable(ILogger logger, string problem);
}

/// <summary>Endpoint metadata: this endpoint accepts the metrics token as well as users' tokens.</summary>
internal sealed class ScrapeTokenAccepted;
