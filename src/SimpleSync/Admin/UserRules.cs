using SimpleSync.Protocol;

namespace SimpleSync.Admin;

/// <summary>What makes a username, a user uuid and a password acceptable (SPEC §2).</summary>
internal static class UserRules
{
    public const int MinPasswordLength = 8;

    /// <summary>Passwords longer than this are refused: hashing cost should not be set by the caller.</summary>
    public const int MaxPasswordLength = 1024;

    public static string? CheckUsername(string username)
    {
        if (username.Length is 0 or > 64)
            return "must be 1 to 64 characters";
        foreach (var c in username)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return "may contain only A-Z, a-z, 0-9, '.', '_' and '-'";
        }
        return null;
    }

    public static string? CheckUuid(string uuid) => EventRules.CheckText(uuid, EventRules.MaxUserUuidLength);

    public static string? CheckPassword(string password) =>
        password.Length < MinPasswordLength ? $"must be at least {MinPasswordLength} characters"
        : password.Length > MaxPasswordLength ? $"must be at most {MaxPasswordLength} characters"
        : null;
}
