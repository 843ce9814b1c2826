using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>Every way a bearer token can be wrong, tried against one server with a real user.</summary>
public sealed class BearerTokenTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly byte[] OtherKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static TheoryData<string> BadAuthorizations() =>
    [
        "Basic credentials",
        "Bearer with nothing after it",
        "Bearer with only spaces after it",
        "a token in another scheme",
        "garbage",
        "two parts",
        "four parts",
        "an empty signature",
        "payload sub changed, signature kept",
        "payload name changed, signature kept",
        "payload exp extended, signature kept",
        "one signature character changed",
        "alg none with an empty signature",
        "alg none with the original signature",
        "alg none, payload changed, empty signature",
        "signed with another key",
        "HS512 header over an HS256 signature",
        "RS256 header over an HS256 signature",
        "HS512 header and HS512 signature with the server key",
        "no alg in the header",
        "an unknown critical header",
        "server key, a sub that is no user",
        "server key, a wrong stamp",
        "server key, no stamp",
        "server key, no exp",
        "server key, exp as a string",
        "server key, exp in the past",
        "server key, payload that is not JSON",
        "padding after the signature",
        "a space inside the signature",
        "a '+' in the signature (base64, not base64url)",
        "server key, padding after the payload",
        "server key, a second alg member after alg none",
        "server key, the issued header with its members reordered",
        "server key, the issued header with a space",
        "a header whose alg is a lone surrogate",
        "a header with a member name that is a lone surrogate",
        "server key, a sub that is a lone surrogate",
    ];

    [Fact]
    public async Task Every_kind_of_bad_token_gets_the_same_401_detail_so_none_tells_which_check_failed()
    {
        var details = new HashSet<string>();
        foreach (var name in new[] { "garbage", "one signature character changed", "server key, exp in the past", "server key, a wrong stamp",
            "server key, a sub that is no user", "server key, a second alg member after alg none" })
        {
            using var response = await GetEventsAsync(BadAuthorization(name));
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
            details.Add(problem.GetProperty("detail").GetString()!);
        }

        var detail = Assert.Single(details);
        Assert.DoesNotContain("signature", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(BadAuthorizations))]
    public async Task A_bad_authorization_header_is_401_with_a_bearer_challenge(string name)
    {
        var header = BadAuthorization(name);

        using var response = await GetEventsAsync(header);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task A_token_signed_with_the_server_key_over_genuine_claims_is_accepted()
    {
        // The control for the forged cases above: the forging itself is right, so they fail for the reason they name.
        var token = Jwt.Resign(shared.AliceToken, Jwt.ServerKey(shared.Server));

        using var response = await GetEventsAsync($"Bearer {token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_scheme_name_is_case_insensitive()
    {
        using var response = await GetEventsAsync($"bearer {shared.AliceToken}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Two_users_tokens_differ_and_each_names_its_user()
    {
        var alice = Jwt.Payload(shared.AliceToken);
        var admin = Jwt.Payload(shared.Admin.DefaultRequestHeaders.Authorization!.Parameter!);

        Assert.Equal(shared.AliceUuid, alice["sub"]!.GetValue<string>());
        Assert.Equal("admin", admin["name"]!.GetValue<string>());
        Assert.NotEqual(alice["sub"]!.GetValue<string>(), admin["sub"]!.GetValue<string>());
        Assert.NotEqual(alice["stamp"]!.GetValue<string>(), admin["stamp"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/auth/token")]
    public async Task Endpoints_open_to_anyone_ignore_a_bad_token(string path)
    {
        using var request = new HttpRequestMessage(path == "/health" ? HttpMethod.Get : HttpMethod.Post, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer garbage");
        if (path == "/auth/token")
            request.Content = TestEvents.Json(new TokenRequest("alice", LiveServer.PasswordOf("alice")));

        using var response = await shared.Server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> GetEventsAsync(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", header));
        return await shared.Server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>The whole Authorization header value for a case of <see cref="BadAuthorizations"/>.</summary>
    private string BadAuthorization(string name)
    {
        var token = shared.AliceToken;
        var parts = token.Split('.');
        var key = Jwt.ServerKey(shared.Server);
        var payload = Jwt.Payload(token);
        var none = new JsonObject { ["alg"] = "none", ["typ"] = "JWT" };
        string Tampered(string claim, JsonNode value)
        {
            var changed = Jwt.Payload(token);
            changed[claim] = value;
            return $"{parts[0]}.{Jwt.Encode(changed)}.{parts[2]}";
        }
        string WithHeader(JsonObject header, bool sha512 = false) => Jwt.Sign(header, payload, key, sha512);
        string Forged(string claim, JsonNode? value) => Jwt.Resign(token, key, (claim, value));

        return name switch
        {
            "Basic credentials" => "Basic YWxpY2U6cHctYWxpY2Utc2VjcmV0",
            "Bearer with nothing after it" => "Bearer",
            "Bearer with only spaces after it" => "Bearer    ",
            "a token in another scheme" => $"Token {token}",
            _ => "Bearer " + name switch
            {
                "garbage" => "not-a-token",
                "two parts" => $"{parts[0]}.{parts[1]}",
                "four parts" => $"{token}.{parts[2]}",
                "an empty signature" => $"{parts[0]}.{parts[1]}.",
                "payload sub changed, signature kept" => Tampered("sub", "user-mallory"),
                "payload name changed, signature kept" => Tampered("name", "admin"),
                "payload exp extended, signature kept" => Tampered("exp", payload["exp"]!.GetValue<long>() + 86_400),
                "one signature character changed" => $"{parts[0]}.{parts[1]}.{FlipMiddle(parts[2])}",
                "alg none with an empty signature" => $"{Jwt.Encode(none)}.{parts[1]}.",
                "alg none with the original signature" => $"{Jwt.Encode(none)}.{parts[1]}.{parts[2]}",
                "alg none, payload changed, empty signature" => $"{Jwt.Encode(none)}.{Tampered("sub", "x").Split('.')[1]}.",
                "signed with another key" => Jwt.Sign(Jwt.Hs256Header(), payload, OtherKey),
                "HS512 header over an HS256 signature" => WithHeader(new JsonObject { ["alg"] = "HS512", ["typ"] = "JWT" }),
                "RS256 header over an HS256 signature" => WithHeader(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" }),
                "HS512 header and HS512 signature with the server key" =>
                    WithHeader(new JsonObject { ["alg"] = "HS512", ["typ"] = "JWT" }, sha512: true),
                "no alg in the header" => WithHeader(new JsonObject { ["typ"] = "JWT" }),
                "an unknown critical header" =>
                    WithHeader(new JsonObject { ["alg"] = "HS256", ["crit"] = new JsonArray("exp2"), ["exp2"] = 1 }),
                "server key, a sub that is no user" => Forged("sub", "user-nobody"),
                "server key, a wrong stamp" => Forged("stamp", "0123456789abcdef0123456789abcdef"),
                "server key, no stamp" => Forged("stamp", null),
                "server key, no exp" => Forged("exp", null),
                "server key, exp as a string" => Forged("exp", payload["exp"]!.ToString()),
                "server key, exp in the past" => Forged("exp", DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds()),
                "server key, payload that is not JSON" => Jwt.SignEncoded(parts[0], Base64Url.EncodeToString("not json"u8), key),
                "padding after the signature" => $"{token}=",
                "a space inside the signature" => $"{parts[0]}.{parts[1]}.{parts[2][..20]} {parts[2][20..]}",
                "a '+' in the signature (base64, not base64url)" => $"{parts[0]}.{parts[1]}.{parts[2][..^1]}+",
                "server key, padding after the payload" => Jwt.SignEncoded(parts[0], parts[1] + "==", key),
                "server key, a second alg member after alg none" =>
                    Jwt.SignEncoded(Base64Url.EncodeToString("""{"alg":"none","typ":"JWT","alg":"HS256"}"""u8), parts[1], key),
                "server key, the issued header with its members reordered" =>
                    Jwt.SignEncoded(Base64Url.EncodeToString("""{"typ":"JWT","alg":"HS256"}"""u8), parts[1], key),
                "server key, the issued header with a space" =>
                    Jwt.SignEncoded(Base64Url.EncodeToString("""{"alg": "HS256","typ":"JWT"}"""u8), parts[1], key),
                // JSON whose escapes decode to a lone surrogate is valid JSON but not text.
                "a header whose alg is a lone surrogate" =>
                    $"{Base64Url.EncodeToString("""{"alg":"\ud800","typ":"JWT"}"""u8)}.{parts[1]}.{parts[2]}",
                "a header with a member name that is a lone surrogate" =>
                    $"{Base64Url.EncodeToString("""{"\ud800":1,"alg":"HS256","typ":"JWT"}"""u8)}.{parts[1]}.{parts[2]}",
                "server key, a sub that is a lone surrogate" => Jwt.SignEncoded(parts[0], Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
                    $$"""{"sub":"\ud800","name":"alice","exp":{{payload["exp"]}},"stamp":"{{payload["stamp"]}}"}""")), key),
                _ => throw new ArgumentException($"no case named '{name}'", nameof(name)),
            },
        };
    }

    /// <summary>Changes one character in the middle of a base64url string to another valid one.</summary>
    private static string FlipMiddle(string text)
    {
        var chars = text.ToCharArray();
        var middle = chars.Length / 2;
        chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
