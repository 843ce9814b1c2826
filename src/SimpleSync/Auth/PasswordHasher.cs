using System.Security.Cryptography;
using System.Text;

namespace SimpleSync.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a random 16-byte salt and 600,000 iterations (OWASP's 2023 floor for
/// this function), stored as <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> so the cost can rise
/// later without breaking old hashes.
/// </summary>
internal static class PasswordHasher
{
    public const int Iterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Verified against when the username does not exist, so that an unknown user costs the
    // same time as a wrong password and login timing does not reveal which usernames exist.
    private static readonly Lazy<string> Dummy = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks a password; a null <paramref name="stored"/> does the same work and returns false.</summary>
    public static bool Verify(string password, string? stored)
    {
        var matches = Check(password, stored ?? Dummy.Value);
        return stored is not null && matches;
    }

    private static bool Check(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1)
            return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A new security stamp: changing it revokes every token issued before.</summary>
    public static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
