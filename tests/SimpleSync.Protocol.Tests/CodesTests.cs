using System.Reflection;
using System.Text.RegularExpressions;
using SimpleSync.Testing;

namespace SimpleSync.Protocol.Tests;

/// <summary>The protocol's closed lists of codes are exactly those of docs/codes.json, once each, in its order.</summary>
public sealed partial class CodesTests
{
    public static TheoryData<string> Lists => [nameof(ErrorCodes), nameof(RejectionReasons), nameof(PushStatuses), nameof(StreamEndReasons)];

    [Theory]
    [MemberData(nameof(Lists))]
    public void Each_list_holds_exactly_the_codes_of_codes_json_once_each(string list)
    {
        var codes = CodeList.Load;
        var (all, type, documented) = list switch
        {
            nameof(ErrorCodes) => (ErrorCodes.All, typeof(ErrorCodes), codes.Errors.Select(e => e.Code).ToList()),
            nameof(RejectionReasons) => (RejectionReasons.All, typeof(RejectionReasons), codes.Rejections),
            nameof(PushStatuses) => (PushStatuses.All, typeof(PushStatuses), codes.PushStatuses),
            _ => (StreamEndReasons.All, typeof(StreamEndReasons), codes.StreamEnds),
        };

        Assert.Equal(documented, all);
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ConstantsOf(type).Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.All(all, code => Assert.Matches(SnakeCase(), code));
    }

    [Fact]
    public void Client_codes_and_server_codes_are_apart_and_every_server_code_has_a_status()
    {
        var codes = CodeList.Load;
        Assert.Empty(codes.Errors.Select(e => e.Code).Intersect(codes.ClientErrors.Select(e => e.Code)));
        Assert.All(codes.Errors, e => Assert.NotEmpty(e.Statuses));
        Assert.All(codes.ClientErrors, e => Assert.Empty(e.Statuses));
        Assert.All(codes.ClientErrors, e => Assert.Matches(SnakeCase(), e.Code));
    }

    private static List<string> ConstantsOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    [GeneratedRegex("^[a-z]+(_[a-z]+)*$")]
    private static partial Regex SnakeCase();
}
