using System.Buffers.Text;
using System.Text;

namespace SimpleSync.Tests.Support;

/// <summary>The users the fuzzer acts as: their uuids and tokens, and Alice's password (never the admin's).</summary>
internal sealed record FuzzIdentities(string AdminUuid, string AdminToken, string AliceUuid, string AliceToken, string AlicePassword,
    string BobUuid, string BobToken)
{
    /// <summary>A user who pushes: Alice or Bob.</summary>
    public (string Uuid, string Token) Pusher(Random r) => r.Next(2) == 0 ? (AliceUuid, AliceToken) : (BobUuid, BobToken);

    /// <summary>User uuids an event of <paramref name="me"/> must not carry.</summary>
    public string[] Others(string me) =>
        [.. new[] { AdminUuid, AliceUuid, BobUuid }.Where(u => u != me), me.ToUpperInvariant(), "", "*", "nobody", me + " "];
}

/// <summary>
/// Headers for the fuzzer: Authorization in every spelling a client or an attacker might use,
/// and noise (forwarding headers, encodings, media types) that the pipeline must survive. All
/// of it printable ASCII and within Kestrel's header limits, so that every request reaches our
/// pipeline rather than being refused by the HTTP parser.
/// </summary>
internal static class FuzzHeaders
{
    /// <summary>
    /// Sets Authorization: usually exactly <paramref name="natural"/> (so that the body is read), else
    /// a variant of some user's token, or none. Marks the request as the admin's whenever the token
    /// comes from the admin's, however spelled: such a request may be believed.
    /// </summary>
    public static void Authorize(Random r, FuzzRequest request, FuzzIdentities ids, string? natural)
    {
        if (natural is not null && r.Next(4) != 0)
        {
            request.Headers.Add(("Authorization", $"Bearer {natural}"));
            request.AsAdmin = natural == ids.AdminToken;
            return;
        }
        var token = r.One([ids.AdminToken, ids.AliceToken, ids.BobToken]);
        request.AsAdmin = token == ids.AdminToken;
        if (Variant(r, token, ids) is { } value)
        {
            request.Headers.Add(("Authorization", value));
            request.Kind += ", Authorization variant";
        }
    }

    private static string? Variant(Random r, string token, FuzzIdentities ids)
    {
        var parts = token.Split('.');
        return r.Next(28) switch
        {
            0 => null,
            1 => "Bearer",
            2 => "Bearer ",
            3 => token,
            4 => "bearer " + token,
            5 => "BEARER  " + token + "  ",
            6 => "Bearer " + token + " extra",
            7 => "Bearer " + token + "=",
            8 => "Bearer " + token + "==",
            9 => "Bearer " + Tamper(r, token),
            10 => $"Bearer {parts[0]}.{parts[1]}",
            11 => "Bearer " + token + ".x",
            12 => "Bearer " + token.Replace('-', '+').Replace('_', '/'),
            13 => $"Bearer {parts[0]}.{parts[1]}.{parts[2][..5]} {parts[2][5..]}",
            14 => $"Bearer {Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.",
            15 => $"Bearer {Encode("{\"alg\":\"\\ud800\",\"typ\":\"JWT\"}")}.{parts[1]}.{parts[2]}",
            16 => $"Bearer {Encode(r.One(OddHeaders))}.{parts[1]}.{parts[2]}",
            17 => "Basic YWxpY2U6cHctYWxpY2Utc2VjcmV0",
            18 => "Bearer " + r.Ascii(r.Next(1, 200)),
            19 => "Bearer " + new string('a', 4000),
            20 => "Bearer ...",
            21 => $"Bearer {parts[0]}.{ids.BobToken.Split('.')[1]}.{parts[2]}",
            22 => $"Bearer {parts[0]}.{Encode(r.One(OddPayloads))}.{parts[2]}",
            23 => "Bearer " + token + ", Bearer " + ids.AliceToken,
            24 => $"Bearer {parts[0]}=.{parts[1]}.{parts[2]}",
            25 => $"Bearer {parts[0]}.{parts[1]}.{parts[2]}%3D",
            26 => "Bearer\t" + token,
            _ => r.Ascii(r.Next(0, 100)),
        };
    }

    /// <summary>JWT headers that are not the one the server issues.</summary>
    private static readonly string[] OddHeaders =
    [
        "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"alg\":\"none\"}", "{\"alg\":\"HS256\",\"crit\":[\"x\"]}",
        "{\"alg\":[\"HS256\"]}", "{\"alg\":null}", "{}", "[]", "null", "not json", "{\"alg\":\"HS256\"", "{\"\\ud800\":1,\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../etc/passwd\"}", "{\"alg\":1e999}", new string('[', 1000) + new string(']', 1000),
        "{\"alg\":\"HS\\u0032\\u0035\\u0036\"}",
    ];

    /// <summary>JWT payloads for a signature made over another: all of them fail the signature first.</summary>
    private static readonly string[] OddPayloads =
    [
        "{\"sub\":\"user-bob\",\"name\":\"bob\",\"exp\":99999999999,\"stamp\":\"x\"}", "{}", "null", "not json",
        "{\"sub\":\"\\ud800\",\"exp\":1e999}", "{\"exp\":-1}",
    ];

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>The token with one character of one part changed to another of the base64url alphabet.</summary>
    private static string Tamper(Random r, string token)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var chars = token.ToCharArray();
        int at;
        do
            at = r.Next(chars.Length);
        while (chars[at] == '.');
        var replacement = r.One(Alphabet.ToCharArray());
        chars[at] = replacement == chars[at] ? (replacement == 'A' ? 'B' : 'A') : replacement;
        return new string(chars);
    }

    private static readonly string[] ForwardedFor =
    [
        "", "unknown", "1.2.3.4", "1.2.3.4, 5.6.7.8", "999.999.1.1", "::1", "[::1]:80", "::ffff:1.2.3.4", "fe80::1%eth0",
        "a, b, c", "1.2.3.4:99999", "2001:db8::1, 2001:db8::2/64", ",,,", "127.0.0.1", " 10.0.0.1 ", "1.2.3.4; rm -rf /",
        string.Join(", ", Enumerable.Range(0, 300).Select(i => $"10.0.{i / 256}.{i % 256}")), "0.0.0.0", "255.255.255.255",
        "2001:db8::", "%00", "1.2.3.4\t5.6.7.8",
    ];

    private static readonly string[] Forwarded =
    [
        "for=1.2.3.4;proto=https", "for=\"[2001:db8::1]:4711\"", "for=", ";;;", "for=_hidden, for=unknown", "\"", "for=[::1",
        "for=1.2.3.4;for=5.6.7.8", "proto=gopher", "for=\"\\\"\"", "=,=,=", "for=1.2.3.4, for=\"[::1]\";proto=http;by=x",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json; charset=utf-8", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/problem+json", "", ";;;", "application/json; charset=\"", "*/*",
        "application/json, text/plain", "application/jsonx", "APPLICATION/JSON", "application/json; charset=latin1",
        "text/event-stream", "application/json;;", "a/b/c",
    ];

    private static readonly string[] AcceptEncodings =
        ["gzip", "br", "deflate", "gzip;q=0", "*", "identity;q=0", "*;q=0", "gzip;q=abc", "br, gzip;q=0.5", ",,", "zstd", "x"];

    private static readonly string[] Accepts =
        ["text/html", "application/xml", "*/*", "application/json;q=0", "text/event-stream", "nothing/at-all", ";", "application/problem+json"];

    /// <summary>Forwarding headers (the test server trusts loopback, so they are parsed), encodings and media types.</summary>
    public static void AddNoise(Random r, FuzzRequest request)
    {
        if (r.Percent(20))
            request.Headers.Add(("X-Forwarded-For", r.One(ForwardedFor)));
        if (r.Percent(5))
            request.Headers.Add(("X-Forwarded-Proto", r.One(["https", "gopher", "", "http, https", "%00"])));
        if (r.Percent(10))
            request.Headers.Add(("Forwarded", r.One(Forwarded)));
        if (r.Percent(15))
            request.Headers.Add(("Accept-Encoding", r.One(AcceptEncodings)));
        if (r.Percent(10))
            request.Headers.Add(("Accept", r.One(Accepts)));
        if (r.Percent(3))
            request.Headers.Add(("Expect", r.One(["100-continue", "200-ok", "x"])));
        if (request.Body is not null && r.Percent(20))
            request.ContentType = r.Next(8) == 0 ? null : r.One(ContentTypes);
        if (request.Body is not null && r.Percent(10))
            request.Chunked = true;
    }
}
