using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SimpleSync.Tls;

/// <summary>
/// Reads server.tls_certificate and server.tls_key: a PEM certificate, which its chain may follow
/// (certbot's fullchain.pem), and the unencrypted PEM private key that belongs to it. Every
/// problem names its key and file, so that a missing file, a file of the wrong kind and a key of
/// another certificate each say so.
/// </summary>
internal static class CertificateFiles
{
    public const string CertificateKey = "server.tls_certificate";
    public const string PrivateKeyKey = "server.tls_key";

    /// <summary>The labels X509Certificate2.CreateFromPem reads a private key from.</summary>
    private static readonly string[] KeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

    /// <returns>What TLS handshakes present, or null with the reasons added to <paramref name="problems"/>.</returns>
    public static SslStreamCertificateContext? Load(string certificatePath, string keyPath, List<string> problems)
    {
        var before = problems.Count;
        var certificateText = Read(CertificateKey, certificatePath, problems);
        var keyText = Read(PrivateKeyKey, keyPath, problems);
        var chain = certificateText is null ? null : ReadChain(certificatePath, certificateText, problems);
        if (keyText is not null)
            CheckKey(keyPath, keyText, problems);
        if (problems.Count > before)
            return null;

        X509Certificate2 leaf;
        try
        {
            // The first certificate of the file, with the key: this fails when they do not belong together.
            leaf = X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // ArgumentException: a valid key of another certificate; CryptographicException: a damaged one, or of another kind.
            problems.Add($"{PrivateKeyKey}: {keyPath}: the private key does not belong to the certificate in {certificatePath} (or is damaged)");
            return null;
        }
        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the in-memory key that CreateFromPem makes; a PKCS#12 round trip
            // gives it one it can. OpenSSL, on Linux, uses the key as it is.
            using var inMemory = leaf;
            leaf = X509CertificateLoader.LoadPkcs12(inMemory.Export(X509ContentType.Pkcs12), null);
        }
        // The rest of the file is the chain, sent with the certificate so that clients need not
        // fetch it. Offline: nothing is downloaded at start-up or at a reload.
        return SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain!.Skip(1).ToArray()), offline: true);
    }

    private static string? Read(string key, string path, List<string> problems)
    {
        if (Directory.Exists(path))
        {
            problems.Add($"{key}: {path}: is a directory, not a PEM file");
            return null;
        }
        try
        {
            return Config.ConfigFiles.ReadText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problems.Add($"{key}: {path}: the file does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            problems.Add($"{key}: {path}: the user running the server may not read it");
        }
        catch (IOException ex)
        {
            problems.Add($"{key}: {path}: cannot be read: {ex.Message}");
        }
        return null;
    }

    private static X509Certificate2Collection? ReadChain(string path, string text, List<string> problems)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(text);
        }
        catch (CryptographicException)
        {
            problems.Add($"{CertificateKey}: {path}: holds a damaged PEM certificate");
            return null;
        }
        if (chain.Count > 0)
            return chain;
        problems.Add($"{CertificateKey}: {path}: holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)");
        return null;
    }

    private static void CheckKey(string path, string text, List<string> problems)
    {
        if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
            problems.Add($"{PrivateKeyKey}: {path}: the private key is encrypted, and the server has no passphrase to open it; write it out unencrypted (openssl pkey -in KEY -out NEW_KEY) with mode 0600");
        else if (!KeyLabels.Any(label => text.Contains($"-----BEGIN {label}-----", StringComparison.Ordinal)))
            problems.Add($"{PrivateKeyKey}: {path}: holds no PEM private key (a block starting -----BEGIN PRIVATE KEY-----, or RSA PRIVATE KEY or EC PRIVATE KEY)");
    }
}
