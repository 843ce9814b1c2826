using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Auth;

/// <summary>
/// Issues and checks HS256 JWTs. A token must be exactly what this server issues: its header is
/// the one header it writes, byte for byte (so <c>alg: none</c>, algorithm confusion, a second
/// <c>alg</c> member or a <c>crit</c> extension are refused by construction), and every part is
/// unpadded base64url with nothing else in it (one token, one spelling). The signature is
/// compared in constant time before any claim is believed; expiry is checked against our
/// <see cref="TimeProvider"/> with no hidden skew.
/// </summary>
internal sealed class TokenService(byte[] key, AuthSection options, TimeProvider time)
{
    // {"alg":"HS256","typ":"JWT"}, encoded once.
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);

    // An HMAC-SHA256 signature is 32 bytes: 43 characters of unpadded base64url.
    private const int SignatureChars = 43;

    public string Issue(StoredUser user)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("sub", user.Uuid);
            json.WriteString("name", user.Username);
            json.WriteNumber("iat", now);
            json.WriteNumber("exp", now + (long)options.TokenLifetime.TotalSeconds);
            json.WriteString("stamp", user.SecurityStamp);
            json.WriteEndObject();
        }
        var signingInput = $"{Header}.{Base64Url.EncodeToString(buffer.ToArray())}";
        return $"{signingInput}.{Base64Url.EncodeToString(Sign(signingInput))}";
    }

    /// <summary>Returns the claims of a genuine, unexpired token, or null with the reason (for logs, never for the client).</summary>
    public TokenClaims? Validate(string token, out string reason)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !parts.All(IsBase64Url) || parts[2].Length != SignatureChars)
        {
            reason = "not a signed JWT in unpadded base64url";
            return null;
        }
        if (parts[0] != Header)
        {
            reason = "not the header this server issues";
            return null;
        }
        var expected = Sign($"{parts[0]}.{parts[1]}");
        if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url.DecodeFromChars(parts[2])))
        {
            reason = "bad signature";
            return null;
        }
        var claims = ReadClaims(Base64Url.DecodeFromChars(parts[1]));
        if (claims is null)
        {
            reason = "missing or malformed claims";
            return null;
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (claims.ExpiresAt <= now)
        {
            reason = "expired";
            return null;
        }
        reason = "";
        return claims;
    }

    private byte[] Sign(string signingInput) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));

    /// <summary>Only A–Z, a–z, 0–9, '-' and '_', and a length that whole bytes can have: no padding, no spaces, no second spelling.</summary>
    private static bool IsBase64Url(string part) =>
        part.Length > 0 && part.Length % 4 != 1 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static TokenClaims? ReadClaims(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            return String(root, "sub") is { } sub && String(root, "name") is { } name && String(root, "stamp") is { } stamp
                && root.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out var expires)
                ? new TokenClaims(sub, name, stamp, expires)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Valid JSON is not always text: a claim whose escapes decode to a lone surrogate
            // throws InvalidOperationException when read. Such claims are malformed, not a server error.
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

internal sealed record TokenClaims(string Subject, string Name, string Stamp, long ExpiresAt);
