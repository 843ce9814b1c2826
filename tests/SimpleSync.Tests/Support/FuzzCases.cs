using System.Text;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Support;

/// <summary>
/// Generates one hostile request from a seeded <see cref="Random"/>, for every endpoint of the
/// server and for paths and methods it does not have. A request is a function of its seed
/// alone, so a failure names the seed that reproduces it. Nothing generated here can store an
/// event under an empty ACL or change a user or the ACL (see <see cref="FuzzAdminBodies"/>).
/// </summary>
internal static class FuzzCases
{
    public static FuzzRequest Generate(Random r, FuzzIdentities ids)
    {
        var request = r.Next(100) switch
        {
            < 20 => Push(r, ids, "/events"),
            < 38 => Push(r, ids, "/sync"),
            < 44 => Get(r, ids, "/events", Query(r, "fromTimestamp")),
            < 50 => Get(r, ids, "/sync", Query(r, "cursor", "limit")),
            < 56 => Stream(r, ids),
            < 66 => Login(r, ids),
            < 73 => Acl(r, ids),
            < 83 => AdminUsers(r, ids),
            < 90 => Operations(r, ids),
            _ => Unknown(r, ids),
        };
        FuzzHeaders.AddNoise(r, request);
        if (request.Body is not null && request.ContentEncoding is null && r.Percent(15))
            FuzzBytes.Encode(r, request);
        return request;
    }

    /// <summary>POST /events or /sync by Alice or Bob: structured faults, byte damage, odd whole bodies, rarely a huge body or a bomb.</summary>
    private static FuzzRequest Push(Random r, FuzzIdentities ids, string path)
    {
        var (me, token) = ids.Pusher(r);
        var structured = path == "/events" ? FuzzJson.EventArray(r, ids, me) : FuzzJson.SyncRequest(r, ids, me);
        var request = r.Next(20) switch
        {
            0 => Huge(r, path),
            < 4 => WithBody(new FuzzRequest($"POST {path}, odd body", HttpMethod.Post, path), r.Next(3) == 0 ? FuzzJson.Deep(r) : r.One(FuzzJson.OddBodies)),
            < 10 => WithBytes(new FuzzRequest($"POST {path}, damaged bytes", HttpMethod.Post, path), FuzzBytes.Mutate(r, Encoding.UTF8.GetBytes(structured))),
            _ => WithBody(new FuzzRequest($"POST {path}, structured", HttpMethod.Post, path), structured),
        };
        FuzzHeaders.Authorize(r, request, ids, token);
        return request;
    }

    private static FuzzRequest Huge(Random r, string path) => r.Next(4) switch
    {
        0 => Oversized(path),
        1 => new FuzzRequest($"POST {path}, gzip bomb of [1,1,…]", HttpMethod.Post, path) { Body = FuzzBytes.OnesBomb.Value, ContentEncoding = "gzip" },
        2 => new FuzzRequest($"POST {path}, gzip bomb of spaces", HttpMethod.Post, path) { Body = FuzzBytes.SpacesBomb.Value, ContentEncoding = "gzip" },
        _ => WithBody(new FuzzRequest($"POST {path}, 10,001 events", HttpMethod.Post, path),
            path == "/events" ? ManyEvents(10_001) : "{\"cursor\":0,\"events\":" + ManyEvents(10_001) + "}"),
    };

    /// <summary>
    /// A body past the limit, on a connection of its own: a server that answers before reading such
    /// a body (a bad token, say) may close the connection after its answer rather than drain more
    /// than its limit, which Kestrel does for a chunked one. That is not a fault of the answer, but
    /// a client must not send its next request down that connection.
    /// </summary>
    private static FuzzRequest Oversized(string path)
    {
        var request = new FuzzRequest($"POST {path}, 16 MiB + 1 of JSON", HttpMethod.Post, path) { Body = FuzzBytes.Oversized.Value };
        request.Headers.Add(("Connection", "close"));
        return request;
    }

    private static string ManyEvents(int count) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $"{{\"uuid\":\"{new Guid(i, 0, 0, new byte[8])}\",\"timestamp\":{i},\"userUuid\":\"user-alice\",\"itemUuid\":\"t\",\"action\":\"a\",\"payload\":\"\"}}")) + "]";

    private static FuzzRequest Get(Random r, FuzzIdentities ids, string path, string query)
    {
        var request = new FuzzRequest($"GET {path}, odd query", HttpMethod.Get, path + query);
        if (r.Percent(5))
            WithBody(request, r.One(FuzzJson.OddBodies));
        FuzzHeaders.Authorize(r, request, ids, ids.Pusher(r).Token);
        return request;
    }

    /// <summary>GET /sync/stream with an odd cursor or Last-Event-ID; a valid one opens a stream, which is read briefly and dropped.</summary>
    private static FuzzRequest Stream(Random r, FuzzIdentities ids)
    {
        var query = r.Next(3) == 0 ? $"?cursor={r.Next(3)}" : Query(r, "cursor");
        var request = new FuzzRequest("GET /sync/stream", HttpMethod.Get, "/sync/stream" + query);
        for (var n = r.Next(4) == 0 ? r.Next(1, 3) : 0; n > 0; n--)
            request.Headers.Add(("Last-Event-ID", r.Next(3) == 0 ? r.Ascii(r.Next(0, 30)) : r.One(NumberTexts)));
        FuzzHeaders.Authorize(r, request, ids, ids.Pusher(r).Token);
        return request;
    }

    /// <summary>POST /auth/token: odd usernames, wrong passwords and damaged bodies, never the admin's password.</summary>
    private static FuzzRequest Login(Random r, FuzzIdentities ids)
    {
        var body = FuzzJson.Login(r, ids);
        var request = r.Next(30) == 0
            ? new FuzzRequest("POST /auth/token, gzip bomb", HttpMethod.Post, "/auth/token") { Body = FuzzBytes.SpacesBomb.Value, ContentEncoding = "gzip" }
            : r.Next(3) == 0
                ? WithBytes(new FuzzRequest("POST /auth/token, damaged bytes", HttpMethod.Post, "/auth/token"), FuzzBytes.Mutate(r, Encoding.UTF8.GetBytes(body)))
                : WithBody(new FuzzRequest("POST /auth/token", HttpMethod.Post, "/auth/token"), body);
        if (r.Next(5) == 0)
            FuzzHeaders.Authorize(r, request, ids, null);
        return request;
    }

    private static FuzzRequest Acl(Random r, FuzzIdentities ids)
    {
        var request = r.Next(11) switch
        {
            < 7 => AdminWrite(r, ids, HttpMethod.Put, "/acl", FuzzAdminBodies.InvalidAcls, FuzzAdminBodies.ValidAcls),
            7 => new FuzzRequest("GET /acl", HttpMethod.Get, "/acl" + Query(r, "version")),
            8 => new FuzzRequest("GET /acl/history", HttpMethod.Get, "/acl/history" + Query(r, "cursor")),
            9 => new FuzzRequest("GET /acl/explain", HttpMethod.Get, "/acl/explain" + ExplainQuery(r)),
            _ => new FuzzRequest("odd method on /acl", new HttpMethod(r.One(["POST", "DELETE", "PATCH"])), "/acl"),
        };
        if (request.Method != HttpMethod.Put)
            FuzzHeaders.Authorize(r, request, ids, ids.AdminToken);
        return request;
    }

    /// <summary>The three values of GET /acl/explain, each usually fine and at times missing, repeated, empty, too long or odd.</summary>
    private static string ExplainQuery(Random r)
    {
        var parameters = new List<string>();
        foreach (var (name, longest) in new[] { ("user", EventRules.MaxUserUuidLength), ("item", EventRules.MaxItemUuidLength), ("action", EventRules.MaxActionLength) })
        {
            var value = r.Next(8) switch
            {
                0 => null,
                1 => "",
                2 => new string('x', longest + r.Next(2)),
                3 => r.One(EncodedTexts),
                _ => r.One(["user-alice", "task-1", "create", "*", "task-*", "%E2%98%83", "a%20b", "%2A"]),
            };
            if (value is null)
                continue;
            parameters.Add($"{name}={value}");
            if (r.Next(10) == 0)
                parameters.Add($"{name}={value}");
        }
        return "?" + string.Join("&", parameters);
    }

    /// <summary>Uuids no user has, whose updates may get any body. (No %00: see <see cref="UnknownPaths"/>.)</summary>
    private static readonly string[] UnknownUserPaths =
        ["nobody", "nobody%2Fx", "nobody-%FF%FE", "nobody-%F0%9F%98%80", "nobody-%2e%2e", "nobody%20", "nobody-" + new string('x', 300)];

    private static FuzzRequest AdminUsers(Random r, FuzzIdentities ids)
    {
        switch (r.Next(10))
        {
            case < 4:
                return AdminWrite(r, ids, HttpMethod.Post, "/admin/users", FuzzAdminBodies.InvalidNewUsers, [FuzzAdminBodies.ValidNewUser]);
            case < 6:
                var existing = r.One([ids.AliceUuid, ids.BobUuid, ids.AdminUuid, ids.AliceUuid.ToUpperInvariant()]);
                return AdminWrite(r, ids, HttpMethod.Put, $"/admin/users/{Uri.EscapeDataString(existing)}",
                    FuzzAdminBodies.InvalidUserUpdates, FuzzAdminBodies.ValidUserUpdates);
            case < 8:
                // Nobody has this uuid: a valid update is 404 and changes nothing, so anything goes.
                var unknown = new FuzzRequest("PUT /admin/users/{unknown}", HttpMethod.Put, "/admin/users/" + r.One(UnknownUserPaths));
                WithBody(unknown, r.Next(2) == 0 ? r.One(FuzzAdminBodies.ValidUserUpdates) : r.One(FuzzAdminBodies.InvalidUserUpdates));
                FuzzHeaders.Authorize(r, unknown, ids, ids.AdminToken);
                return unknown;
            default:
                var other = r.Next(2) == 0
                    ? new FuzzRequest("GET /admin/users", HttpMethod.Get, "/admin/users" + Query(r, "limit"))
                    : new FuzzRequest("odd method on /admin/users", new HttpMethod(r.One(["DELETE", "PATCH", "GET"])), "/admin/users/" + ids.BobUuid);
                FuzzHeaders.Authorize(r, other, ids, ids.AdminToken);
                return other;
        }
    }

    /// <summary>A write to an admin endpoint: as the admin only with a body no server accepts (<see cref="FuzzAdminBodies"/>), else anything.</summary>
    private static FuzzRequest AdminWrite(Random r, FuzzIdentities ids, HttpMethod method, string path, string[] invalid, string[] valid)
    {
        var request = new FuzzRequest($"{method} {path}", method, path);
        FuzzHeaders.Authorize(r, request, ids, ids.AdminToken);
        if (request.AsAdmin)
            request.Body = FuzzAdminBodies.ForAdmin(r, invalid, valid);
        else if (r.Next(20) == 0)
            (request.Body, request.ContentEncoding) = (FuzzBytes.SpacesBomb.Value, "gzip");
        else
            WithBody(request, r.Next(2) == 0 ? r.One(valid) : r.One(invalid));
        return request;
    }

    private static FuzzRequest Operations(Random r, FuzzIdentities ids)
    {
        var (path, natural) = r.Next(4) switch
        {
            0 or 1 => ("/health", null),
            2 => ("/metrics", ids.AliceToken),
            _ => ("/openapi/v1.json", ids.BobToken),
        };
        var method = r.Next(6) == 0 ? new HttpMethod(r.One(["HEAD", "POST", "PUT", "DELETE", "OPTIONS"])) : HttpMethod.Get;
        var request = new FuzzRequest($"{method} {path}", method, path + Query(r, "format"));
        if (method != HttpMethod.Get && method != HttpMethod.Head && r.Next(2) == 0)
            WithBody(request, r.One(FuzzJson.OddBodies));
        FuzzHeaders.Authorize(r, request, ids, natural);
        return request;
    }

    /// <summary>
    /// Paths the server does not have. None holds %00: Kestrel refuses a NUL in the path itself, with
    /// an empty 400, before any middleware runs; queries may hold one.
    /// </summary>
    private static readonly string[] UnknownPaths =
    [
        "/", "/events/1", "/sync/stream/x", "/admin", "/admin/users/a/b", "/..%2f..%2fetc/passwd", "/events%20", "/wp-login.php",
        "/acl;x", "//events", "/events/../events", "/EVENTS", "/sync/", "/auth", "/auth/token/x", "/%FF%FE", "/%F0%9F%98%80",
        "/health/", "/metrics.txt", "/openapi/v2.json", "/sync/stream/", "/.env", "/" + new string('a', 3000), "/events/%2e%2e/acl",
        "/a%2Fb", "/%25", "/admin/users/%2F", "/acl/history/1",
    ];

    private static readonly string[] OddMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "FOO", "get"];

    private static readonly string[] KnownPaths =
        ["/events", "/sync", "/sync/stream", "/auth/token", "/acl", "/acl/history", "/acl/explain", "/admin/users", "/health", "/metrics", "/openapi/v1.json"];

    private static FuzzRequest Unknown(Random r, FuzzIdentities ids)
    {
        var method = new HttpMethod(r.One(OddMethods));
        var path = r.Next(3) == 0 ? r.One(KnownPaths) : r.One(UnknownPaths);
        // Admin writes keep to their own rules: an unknown method on a known path is fine, PUT /acl is not.
        if (method.Method is "PUT" or "POST" && path is "/acl" or "/admin/users" or "/events" or "/sync")
            method = HttpMethod.Delete;
        var request = new FuzzRequest($"{method} {path}, unknown path or method", method, path + Query(r, "x"));
        if (method != HttpMethod.Get && method != HttpMethod.Head && method.Method != "TRACE" && r.Next(2) == 0)
            WithBody(request, r.One(FuzzJson.OddBodies));
        FuzzHeaders.Authorize(r, request, ids, r.One([ids.AdminToken, ids.AliceToken]));
        return request;
    }

    /// <summary>Numbers as text, for query values and Last-Event-ID: in range, negative, past every limit, not numbers.</summary>
    private static readonly string[] NumberTexts =
    [
        "0", "1", "3", "-1", "", " ", "1.5", "1e3", "0x10", "+1", "01", "00000000000000000000001", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999", "abc", "NaN",
        "Infinity", "1,2", "1 2", "10000", "10001", "-0", "2147483648",
    ];

    /// <summary>Percent-encoded garbage: invalid escapes, NUL, invalid UTF-8, a BOM, fullwidth digits, a plus that means a space.</summary>
    private static readonly string[] EncodedTexts = ["%FF", "%", "%zz", "%2", "%u0031", "%00", "+1", "%20", "1%2C2", "%EF%BB%BF1", "%EF%BC%91", "%2B1", "1%00", "%C0%B0"];

    /// <summary>A query string over <paramref name="names"/>: repeated, empty, oddly spelled and unknown parameters with odd values.</summary>
    private static string Query(Random r, params string[] names)
    {
        if (r.Next(5) == 0)
            return r.One(["", "?", "?&&&", "?=", "?==1", "?" + names[0], "?" + names[0] + "=", "?&" + names[0] + "=1&"]);
        var parameters = new List<string>();
        for (var n = r.Next(1, 4); n > 0; n--)
        {
            var name = r.Next(6) switch
            {
                0 => r.One(["x", "", "Cursor", "%63ursor", "cursor%20", "limit[]", "fromtimestamp"]),
                1 => Uri.EscapeDataString(names[0].ToUpperInvariant()),
                _ => r.One(names),
            };
            var value = r.Next(4) == 0 ? r.One(EncodedTexts) : Uri.EscapeDataString(r.One(NumberTexts));
            parameters.Add(r.Next(15) == 0 ? name : $"{name}={value}");
        }
        return "?" + string.Join("&", parameters);
    }

    private static FuzzRequest WithBody(FuzzRequest request, string json) => WithBytes(request, Encoding.UTF8.GetBytes(json));

    private static FuzzRequest WithBytes(FuzzRequest request, byte[] body)
    {
        request.Body = body;
        return request;
    }
}
