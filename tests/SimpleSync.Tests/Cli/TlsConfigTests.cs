using System.Net;
using System.Security.Cryptography;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>serve with server.tls_certificate and server.tls_key: what it refuses, and what it says when it starts.</summary>
public sealed class TlsConfigTests
{
    private const string Damaged = "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n";

    /// <summary>
    /// What each file holds: "own" (the certificate, or its key), "other" (another certificate's
    /// key), "missing" (a name with no file), "garbage" (text that is no PEM), "damaged" (a PEM
    /// block that is no certificate), "encrypted" (the key under a passphrase); null: the key is not set.
    /// </summary>
    public static TheoryData<string, string, string?, string?, string[]> BadSetups => new()
    {
        { "only the certificate", "https", "own", null, ["server.tls_key", "must be set too"] },
        { "only the key", "https", null, "own", ["server.tls_certificate", "must be set too"] },
        { "https without the TLS files", "https", null, null, ["server.listen", "https:// needs server.tls_certificate and server.tls_key"] },
        { "http with the TLS files", "http", "own", "own", ["server.listen", "must be https://HOST:PORT"] },
        { "a certificate file that does not exist", "https", "missing", "own", ["server.tls_certificate", "missing-cert.pem", "does not exist"] },
        { "a key file that does not exist", "https", "own", "missing", ["server.tls_key", "missing-key.pem", "does not exist"] },
        { "a certificate file that is not PEM", "https", "garbage", "own", ["server.tls_certificate", "cert.pem", "no PEM certificate"] },
        { "a damaged PEM certificate", "https", "damaged", "own", ["server.tls_certificate", "cert.pem", "damaged"] },
        { "a key file that is not PEM", "https", "own", "garbage", ["server.tls_key", "key.pem", "no PEM private key"] },
        { "the key of another certificate", "https", "own", "other", ["server.tls_key", "key.pem", "does not belong to the certificate", "cert.pem"] },
        { "a key under a passphrase", "https", "own", "encrypted", ["server.tls_key", "key.pem", "encrypted"] },
    };

    [Theory]
    [MemberData(nameof(BadSetups))]
    public async Task A_bad_TLS_setup_stops_serve_with_exit_code_2_and_one_line_naming_the_key_and_the_file(
        string what, string scheme, string? certificate, string? key, string[] named)
    {
        using var workspace = new CliWorkspace(config: null);
        var own = TestCertificate.Create();
        var lines = new List<string> { "[server]", $"listen = \"{scheme}://127.0.0.1:0\"" };
        if (certificate is not null)
            lines.Add($"tls_certificate = \"{Write(workspace, "cert.pem", certificate, own)}\"");
        if (key is not null)
            lines.Add($"tls_key = \"{Write(workspace, "key.pem", key, own)}\"");
        var file = workspace.Write("tls.toml", string.Join('\n', lines) + "\n");

        var result = await workspace.RunAsync("serve", "--config", file);

        result.AssertConfigRefused(what, [file, .. named]);
        Assert.False(Directory.Exists(workspace.Data("")), "a server that refused its config must not create its data directory");
    }

    /// <summary>Writes what <paramref name="kind"/> says under <paramref name="name"/>; returns the path the config names.</summary>
    private static string Write(CliWorkspace workspace, string name, string kind, TestCertificate own)
    {
        var isKey = name == "key.pem";
        if (kind == "missing")
            return workspace.File($"missing-{name}");
        var content = kind switch
        {
            "own" => isKey ? own.KeyPem : own.CertificatePem,
            "other" => TestCertificate.Create().KeyPem,
            "garbage" => "this is not a PEM file\n",
            "damaged" => Damaged,
            "encrypted" => Encrypted(own.KeyPem),
            _ => throw new ArgumentException(kind),
        };
        var path = workspace.File(name);
        if (isKey)
            TestCertificate.WriteKey(path, content);
        else
            File.WriteAllText(path, content);
        return path;
    }

    private static string Encrypted(string keyPem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        return key.ExportEncryptedPkcs8PrivateKeyPem("passphrase",
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)) + "\n";
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Serve_with_TLS_from_the_environment_prints_its_https_address_speaks_HTTP2_and_warns_about_a_key_others_can_read()
    {
        using var workspace = new CliWorkspace();
        var certificate = TestCertificate.Create();
        certificate.Write(workspace.Path);
        File.SetUnixFileMode(workspace.File("key.pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var environment = new Dictionary<string, string?>
        {
            ["SIMPLESYNC_SERVER_LISTEN"] = "https://127.0.0.1:0",
            ["SIMPLESYNC_SERVER_TLS_CERTIFICATE"] = "cert.pem",
            ["SIMPLESYNC_SERVER_TLS_KEY"] = "key.pem",
        };

        await using var server = await workspace.ServeAsync(environment);
        using var client = new HttpClient(new Http2Only(certificate.Handler())) { BaseAddress = server.BaseAddress, Timeout = ExecutableRunner.Timeout };
        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpVersion.Version20, health.Version);
        Assert.True(await server.PrintsAsync($"{workspace.File("key.pem")}: the TLS private key should be private to the user running the server, but it has mode 0640"),
            server.Stderr);
        Assert.True(await server.PrintsAsync($"chmod 600 {workspace.File("key.pem")}"), server.Stderr);
    }
}
