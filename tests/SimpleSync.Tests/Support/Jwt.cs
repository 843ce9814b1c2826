using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SimpleSync.Testing;

namespace SimpleSync.Tests.Support;

/// <summary>Reads tokens the server issues and builds forged ones, to attack the server with.</summary>
internal static class Jwt
{
    public static JsonObject Header(string token) => Part(token, 0);

    public static JsonObject Payload(string token) => Part(token, 1);

    /// <summary>The server's HS256 secret, read from its key file as an attacker who stole it would.</summary>
    public static byte[] ServerKey(LiveServer server) =>
        Convert.FromBase64String(File.ReadAllText(server.Options.Auth.JwtSecretFile).Trim());

    public static string Encode(JsonNode json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>A token with this header and payload, signed with HMAC-SHA256 or HMAC-SHA512 over the usual signing input.</summary>
    public static string Sign(JsonNode header, JsonNode payload, byte[] key, bool sha512 = false) =>
        SignEncoded(Encode(header), Encode(payload), key, sha512);

    /// <summary>Signs already encoded parts, which need not hold JSON.</summary>
    public static string SignEncoded(string header, string payload, byte[] key, bool sha512 = false)
    {
        var input = $"{header}.{payload}";
        var bytes = Encoding.ASCII.GetBytes(input);
        var signature = sha512 ? HMACSHA512.HashData(key, bytes) : HMACSHA256.HashData(key, bytes);
        return $"{input}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The token's claims with some replaced (a null value removes the claim), re-signed with <paramref name="key"/>.</summary>
    public static string Resign(string token, byte[] key, params (string Claim, JsonNode? Value)[] changes)
    {
        var payload = Payload(token);
        foreach (var (claim, value) in changes)
        {
            if (value is null)
                payload.Remove(claim);
            else
                payload[claim] = value;
        }
        return Sign(Header(token), payload, key);
    }

    public static JsonObject Hs256Header() => new() { ["alg"] = "HS256", ["typ"] = "JWT" };

    private static JsonObject Part(string token, int index) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[index]))!.AsObject();
}
