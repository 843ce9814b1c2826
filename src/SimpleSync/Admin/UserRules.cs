using System.Globalization;
using System.Text;
using SimpleSync.Protocol;

namespace SimpleSync.Admin;

/// <summary>
/// What makes a username, a user uuid and a password acceptable; the messages name the rule, so a
/// refused request says what to change (README, "HTTP API": 400 <c>invalid</c> naming the field).
/// </summary>
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

    /// <summary>
    /// A user uuid is compared exactly, in ACL rules and in every pushed event, and shown in lists:
    /// beyond the text rules of every field it may hold no <c>*</c> (the ACL's wildcard), no
    /// whitespace, and nothing invisible (control and format characters such as U+200B, and the
    /// other default-ignorable code points such as variation selectors), so that two uuids that
    /// look the same are the same.
    /// </summary>
    public static string? CheckUuid(string uuid)
    {
        if (EventRules.CheckText(uuid, EventRules.MaxUserUuidLength) is { } problem)
            return problem;
        foreach (var rune in uuid.EnumerateRunes())
        {
            if (rune.Value == '*')
                return "must not contain '*'";
            if (Rune.IsWhiteSpace(rune))
                return "must not contain whitespace";
            if (Invisible(rune))
                return $"must not contain invisible characters (U+{rune.Value:X4})";
        }
        return null;
    }

    private static bool Invisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Control
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x3164 or 0xFFA0
        || rune.Value is >= 0x180B and <= 0x180F
        || rune.Value is >= 0xFE00 and <= 0xFE0F
        || rune.Value is >= 0xFFF0 and <= 0xFFF8
        || rune.Value is >= 0xE0000 and <= 0xE0FFF;

    public static string? CheckPassword(string password) =>
        password.Length < MinPasswordLength ? $"must be at least {MinPasswordLength} characters"
        : password.Length > MaxPasswordLength ? $"must be at most {MaxPasswordLength} characters"
        : null;
}
