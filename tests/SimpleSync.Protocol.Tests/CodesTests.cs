using System.Reflection;
using System.Text.RegularExpressions;

namespace SimpleSync.Protocol.Tests;

public sealed partial class CodesTests
{
    /// <summary>
    /// STYLE habit 4 names the error codes (at least these); SPEC §4 the rejection reasons.
    /// method_not_allowed is the one addition: the framework's 405 needs a code of its own
    /// rather than being folded into not_found or invalid.
    /// </summary>
    public static TheoryData<string, string[]> Documented() => new()
    {
        { nameof(ErrorCodes), ["unauthenticated", "forbidden", "not_found", "method_not_allowed", "invalid", "conflict", "too_large", "rate_limited", "unavailable", "internal"] },
        { nameof(RejectionReasons), ["acl_denied", "invalid_field", "uuid_conflict", "user_mismatch", "payload_too_large"] },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void The_list_of_codes_holds_exactly_the_documented_codes_once_each(string list, string[] documented)
    {
        var (all, constants) = list == nameof(ErrorCodes)
            ? (ErrorCodes.All, ConstantsOf(typeof(ErrorCodes)))
            : (RejectionReasons.All, ConstantsOf(typeof(RejectionReasons)));

        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(documented.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Equal(constants.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.All(all, code => Assert.Matches(SnakeCase(), code));
    }

    private static List<string> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    [GeneratedRegex("^[a-z]+(_[a-z]+)*$")]
    private static partial Regex SnakeCase();
}
