using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Primitives;
using IPNetwork = System.Net.IPNetwork;

namespace SimpleSync.Http;

/// <summary>
/// Behind a reverse proxy every connection comes from the proxy; the client's address is in the
/// headers the proxy adds. They are believed only from <c>server.trusted_proxies</c> (a client
/// can send any header it likes), through the framework's forwarded-headers middleware, which
/// walks <c>X-Forwarded-For</c> from the right while the hop is trusted. The framework does not
/// read the standard <c>Forwarded</c> header (RFC 7239), so a trusted proxy's <c>Forwarded</c>
/// is translated into the headers it does read first. The login throttle and the request log then
/// see the client's address.
/// </summary>
internal static class ProxyHeaders
{
    private const string XForwardedFor = "X-Forwarded-For";
    private const string XForwardedProto = "X-Forwarded-Proto";

    public static IApplicationBuilder UseProxyHeaders(this IApplicationBuilder app, IReadOnlyList<IPNetwork> trusted)
    {
        if (trusted.Count == 0)
            return app;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Every trusted hop is unwrapped (a load balancer in front of nginx, say), not just one.
            ForwardLimit = null,
        };
        // The framework trusts loopback by default; nothing is trusted that the operator did not list.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in trusted)
            options.KnownIPNetworks.Add(network);

        app.Use((context, next) =>
        {
            TranslateForwarded(context, trusted);
            return next(context);
        });
        return app.UseForwardedHeaders(options);
    }

    /// <summary>
    /// <c>Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"</c> becomes
    /// <c>X-Forwarded-For: 192.0.2.60, 2001:db8::1</c> and <c>X-Forwarded-Proto: https</c>, when the
    /// peer is trusted and sent no X-Forwarded-For of its own. An obfuscated or unknown hop is kept
    /// as it is, which stops the walk there, as it should.
    /// </summary>
    private static void TranslateForwarded(HttpContext context, IReadOnlyList<IPNetwork> trusted)
    {
        var headers = context.Request.Headers;
        if (!headers.TryGetValue("Forwarded", out var forwarded) || headers.ContainsKey(XForwardedFor))
            return;
        var peer = context.Connection.RemoteIpAddress;
        if (peer is null || !IsTrusted(peer, trusted))
            return;
        var hops = new List<string>();
        var protos = new List<string>();
        foreach (var element in forwarded.SelectMany(v => (v ?? "").Split(',')))
        {
            string? hop = null, proto = null;
            foreach (var pair in element.Split(';'))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                    continue;
                var name = pair[..eq].Trim();
                var value = pair[(eq + 1)..].Trim().Trim('"');
                if (name.Equals("for", StringComparison.OrdinalIgnoreCase))
                    hop = Host(value);
                else if (name.Equals("proto", StringComparison.OrdinalIgnoreCase))
                    proto = value;
            }
            hops.Add(hop ?? "unknown");
            protos.Add(proto ?? "");
        }
        headers[XForwardedFor] = new StringValues(string.Join(", ", hops));
        if (protos.All(p => p.Length > 0) && !headers.ContainsKey(XForwardedProto))
            headers[XForwardedProto] = new StringValues(string.Join(", ", protos));
    }

    /// <summary>"[2001:db8::1]:4711" → "2001:db8::1"; "192.0.2.60:80" → "192.0.2.60"; anything else as it is.</summary>
    private static string Host(string value)
    {
        if (value.StartsWith('[') && value.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
            return value[1..close];
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && value.LastIndexOf(':') == colon ? value[..colon] : value;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return trusted.Any(n => n.Contains(address));
    }
}
