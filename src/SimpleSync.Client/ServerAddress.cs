using System.Net;

namespace SimpleSync.Client;

/// <summary>
/// Decides once, when the client is built, whether the server's address is safe to send a
/// password and a token to. Checking up front rather than per request means a refused address
/// never sees a single byte.
/// </summary>
internal static class ServerAddress
{
    /// <summary>
    /// Returns the base address of <paramref name="http"/>: any <c>https://</c> address, a
    /// loopback <c>http://</c> one, or any <c>http://</c> one when <paramref name="allowInsecureHttp"/>.
    /// Anything else is an <see cref="ArgumentException"/> on <c>http</c>.
    /// </summary>
    public static Uri Check(HttpClient http, bool allowInsecureHttp)
    {
        var address = http.BaseAddress
            ?? throw new ArgumentException("the HttpClient needs a BaseAddress: the server's URL, such as https://sync.example.com/", nameof(http));
        if (address.Scheme == Uri.UriSchemeHttps)
            return address;
        if (address.Scheme != Uri.UriSchemeHttp)
            throw new ArgumentException($"the server's URL must be https:// (or http://), not {address.Scheme}://", nameof(http));
        if (allowInsecureHttp || IsLoopback(address))
            return address;
        throw new ArgumentException(
            $"{address} is plain http:// to another machine: the password and the token would cross the network unencrypted. " +
            $"Use https://, or set {nameof(SyncClientOptions)}.{nameof(SyncClientOptions.AllowInsecureHttp)} on a network you trust.",
            nameof(http));
    }

    /// <summary>localhost, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address): traffic that never leaves this machine.</summary>
    private static bool IsLoopback(Uri address) => address.HostNameType switch
    {
        UriHostNameType.Dns => string.Equals(address.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase),
        UriHostNameType.IPv4 or UriHostNameType.IPv6 => IPAddress.TryParse(address.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip),
        _ => false,
    };
}
