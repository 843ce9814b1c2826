using System.Net.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging.Abstractions;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Tls;

/// <summary>
/// The certificate the server presents: read from server.tls_certificate and server.tls_key at
/// start-up, and again when either file changes, so that a renewal (certbot's, every two months
/// or so) needs no restart. A pair that fails to load after a change, such as a certificate
/// renewed a moment before its key, leaves the previous one in use until the files change again.
/// </summary>
internal sealed partial class ServerCertificate
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly Lock _gate = new();
    private SslStreamCertificateContext _current;
    private PairStamp _tried;
    private ILogger _logger = NullLogger.Instance;

    private ServerCertificate(string certificatePath, string keyPath, SslStreamCertificateContext current, PairStamp stamp)
    {
        (_certificatePath, _keyPath, _current, _tried) = (certificatePath, keyPath, current, stamp);
    }

    /// <summary>Null when TLS is off, or when the files are unusable: then the reasons are in <paramref name="problems"/>.</summary>
    public static ServerCertificate? Load(ServerSection server, List<string> problems)
    {
        if (server.TlsCertificate is not { } certificatePath || server.TlsKey is not { } keyPath)
            return null;
        // Taken before reading, so that a change made while the files are read is seen at the next handshake.
        var stamp = PairStamp.Read(certificatePath, keyPath);
        var context = CertificateFiles.Load(certificatePath, keyPath, problems);
        return context is null ? null : new ServerCertificate(certificatePath, keyPath, context, stamp);
    }

    /// <summary>
    /// What makes a Kestrel endpoint serve HTTPS with this certificate, offering HTTP/2 and
    /// HTTP/1.1 by ALPN: browsers then multiplex every tab's live stream over one connection
    /// instead of running into their limit of six HTTP/1.1 connections per host.
    /// </summary>
    public Action<ListenOptions> Https(ILogger logger)
    {
        _logger = logger;
        // A warning, not a refusal: a key shared through a group, such as Debian's ssl-cert, is a
        // legitimate setup, and the key signs handshakes only; it cannot sign our tokens.
        if (FilePrivacy.Check(_keyPath) is { } exposure)
            KeyExposed(logger, _keyPath, exposure.Reason, exposure.Fix);
        return endpoint =>
        {
            endpoint.Protocols = HttpProtocols.Http1AndHttp2;
            endpoint.UseHttps(new TlsHandshakeCallbackOptions
            {
                // New options for every connection: Kestrel fills in the ALPN list on the object it gets.
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = Current() }),
            });
        };
    }

    private SslStreamCertificateContext Current()
    {
        // Looked at on every handshake: a few stat calls beside a key exchange, and no timer or
        // file watcher to go wrong. The links are followed each time, since certbot renews by
        // pointing its live/ links at new files.
        var stamp = PairStamp.Read(_certificatePath, _keyPath);
        lock (_gate)
        {
            if (stamp != _tried)
            {
                _tried = stamp;
                Reload();
            }
            return _current;
        }
    }

    private void Reload()
    {
        var problems = new List<string>();
        if (CertificateFiles.Load(_certificatePath, _keyPath, problems) is not { } context)
        {
            ReloadFailed(_logger, string.Join("; ", problems));
            return;
        }
        // The previous context is not disposed: handshakes under way may still be using it.
        _current = context;
        Reloaded(_logger, context.TargetCertificate.Subject, context.TargetCertificate.NotAfter.ToUniversalTime());
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Path}: the TLS private key should be private to the user running the server, but {Reason}; fix: {Fix}")]
    private static partial void KeyExposed(ILogger logger, string path, string reason, string fix);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "The TLS certificate files changed: now presenting {Subject}, valid until {NotAfter:u}")]
    private static partial void Reloaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "The TLS certificate files changed but cannot be used, so the previous certificate is still presented: {Problems}")]
    private static partial void ReloadFailed(ILogger logger, string problems);

    /// <summary>Whether either file may have changed, without reading them.</summary>
    private readonly record struct PairStamp(ConfigFiles.Stamp Certificate, ConfigFiles.Stamp Key)
    {
        public static PairStamp Read(string certificatePath, string keyPath) => new(ConfigFiles.Stamp.Of(certificatePath), ConfigFiles.Stamp.Of(keyPath));
    }
}
