using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Auth;

/// <summary>
/// Issues and checks HS256 JWTs. Only the one algorithm this server signs with is accepted, so
/// <c>alg: none</c> and algorithm confusion are refused by construction; the signature is
/// compared in constant time before any claim is believed; expiry is checked against our
/// <see cref="TimeProvider"/> with no hidden skew.
/// </summary>
internal sealed class TokenService(byte[] key, AuthSection options, TimeProvider time)
{
    // {"alg":"HS256","typ":"JWT"}, encoded once.
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);

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
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !Base64Url.IsValid(p)))
        {
            reason = "not a signed JWT";
            return null;
        }
        if (!HeaderIsHs256(parts[0]))
        {
            reason = "unsupported header or algorithm";
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

    private static bool HeaderIsHs256(string encoded)
    {
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(encoded));
            var root = header.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String && alg.GetString() == "HS256"
                // A critical extension we do not implement means we must not accept the token (RFC 7515 §4.1.11).
                && !root.TryGetProperty("crit", out _);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Valid JSON is not always text: a name or value whose escapes decode to a lone
            // surrogate ("\ud800") throws InvalidOperationException when read or compared. Any
            // client can send such a header, so it is a bad token, not a server error.
            return false;
        }
    }

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
            // As for the header: claims that are JSON but not text are malformed claims.
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

internal sealed record TokenClaims(string Subject, string Name, string Stamp, long ExpiresAt);
