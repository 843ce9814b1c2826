using System.Security.Cryptography;
using System.Text;

namespace SimpleSync.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a random 16-byte salt, stored as
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> so the cost can rise later without breaking old
/// hashes. The cost is <c>auth.password_iterations</c> (at least 600,000, OWASP's 2023 floor for
/// this function, when it comes from the config; tests build options with a lower one).
/// </summary>
internal sealed class PasswordHasher(int iterations)
{
    /// <summary>The production cost and the lowest the config accepts.</summary>
    public const int DefaultIterations = 600_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private string? _standIn;
    private long _derivations;

    /// <summary>How many key derivations this hasher has run: tests count what a login costs with it.</summary>
    public long Derivations => Interlocked.Read(ref _derivations);

    /// <summary>
    /// Makes the hash that an unknown username is checked against, so that an unknown user costs
    /// the same as a wrong password. The server calls this at start-up: made on first use, it
    /// would make the first unknown-user login twice as slow as any other, and tell.
    /// </summary>
    public void PrepareStandIn() => _standIn ??= Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations, HashBytes);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks a password; a null <paramref name="stored"/> does the same work and returns false.</summary>
    public bool Verify(string password, string? stored)
    {
        PrepareStandIn();
        var matches = Check(password, stored ?? _standIn!);
        return stored is not null && matches;
    }

    private bool Check(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var cost) || cost < 1)
            return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        return CryptographicOperations.FixedTimeEquals(Derive(password, salt, cost, expected.Length), expected);
    }

    private byte[] Derive(string password, byte[] salt, int cost, int length)
    {
        Interlocked.Increment(ref _derivations);
        return Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, cost, HashAlgorithmName.SHA256, length);
    }

    /// <summary>A new security stamp: changing it revokes every token issued before.</summary>
    public static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
