using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SimpleSync.Tests.Support;

/// <summary>
/// A self-signed certificate for 127.0.0.1 and localhost, made fresh for a test, with its PEM
/// files; clients made here trust that one certificate and nothing else.
/// </summary>
internal sealed class TestCertificate
{
    private TestCertificate(string subject, string certificatePem, string keyPem, byte[] raw)
    {
        (Subject, CertificatePem, KeyPem, Raw) = (subject, certificatePem, keyPem, raw);
    }

    public string Subject { get; }
    public string CertificatePem { get; }
    public string KeyPem { get; }

    /// <summary>The DER bytes, to recognise it on the wire.</summary>
    public byte[] Raw { get; }

    public static TestCertificate Create(string commonName = "simple-sync test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TestCertificate(certificate.Subject, certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", certificate.RawData);
    }

    /// <summary>Writes the certificate and key (mode 0600) as PEM files; returns their paths.</summary>
    public (string Certificate, string Key) Write(string directory, string certificateName = "cert.pem", string keyName = "key.pem")
    {
        var (certificate, key) = (Path.Combine(directory, certificateName), Path.Combine(directory, keyName));
        File.WriteAllText(certificate, CertificatePem);
        WriteKey(key, KeyPem);
        return (certificate, key);
    }

    public static void WriteKey(string path, string pem)
    {
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// A connection handler that accepts only this certificate, reports each certificate servers
    /// present to <paramref name="presented"/>, and counts the connections it opens in <paramref name="connections"/>.
    /// </summary>
    public SocketsHttpHandler Handler(Action<byte[]>? presented = null, ConnectionCount? connections = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                        return false;
                    var raw = certificate.GetRawCertData();
                    presented?.Invoke(raw);
                    return raw.AsSpan().SequenceEqual(Raw);
                },
            },
        };
        if (connections is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections.Opened);
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return handler;
    }
}

/// <summary>How many connections a handler has opened.</summary>
internal sealed class ConnectionCount
{
    public int Opened;
}

/// <summary>Sends every request as HTTP/2 and nothing else, as a browser that negotiated it would.</summary>
internal sealed class Http2Only(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Version = System.Net.HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return base.SendAsync(request, cancellationToken);
    }
}
