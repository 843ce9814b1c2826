using System.Globalization;
using Microsoft.Extensions.Primitives;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Http;

/// <summary>Reads integer parameters (query values, Last-Event-ID) and text query values, with one clear 400 for anything else.</summary>
internal static class QueryValues
{
    /// <summary>Absent: <paramref name="fallback"/>. One plain integer within range: it. Anything else: 400 naming <paramref name="name"/>.</summary>
    public static long Integer(StringValues values, string name, long min, long max, long fallback)
    {
        if (values.Count == 0)
            return fallback;
        if (values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }
        throw ApiException.Invalid($"{name} must be one integer from {min} to {max}",
            new Dictionary<string, string[]> { [name] = [$"'{values}' is not an integer from {min} to {max}"] });
    }

    /// <summary>
    /// Absent: 0. One plain integer from 0 to <see cref="ulong.MaxValue"/>: it (an event timestamp's
    /// range, wider than <see cref="Integer"/>'s). Anything else: 400 naming <paramref name="name"/>.
    /// </summary>
    public static ulong UnsignedInteger(StringValues values, string name)
    {
        if (values.Count == 0)
            return 0;
        if (values.Count == 1 && ulong.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return value;
        throw ApiException.Invalid($"{name} must be one integer from 0 to {ulong.MaxValue}",
            new Dictionary<string, string[]> { [name] = [$"'{values}' is not an unsigned 64-bit integer"] });
    }

    /// <summary>
    /// A required text value held to an event field's rules (<see cref="EventRules.CheckText"/>):
    /// given once, 1 to <paramref name="maxLength"/> characters, no control characters. Returns it,
    /// or null with the problem added to <paramref name="errors"/> under <paramref name="name"/>, so
    /// that one 400 can name every bad value.
    /// </summary>
    public static string? Text(IQueryCollection query, string name, int maxLength, Dictionary<string, string[]> errors)
    {
        var values = query[name];
        var problem = values.Count switch
        {
            0 => "is missing",
            1 => EventRules.CheckText(values[0] ?? "", maxLength),
            _ => "must be given once",
        };
        if (problem is null)
            return values[0];
        errors[name] = [problem];
        return null;
    }

    /// <summary>As <see cref="Text"/>, for a value that may be left out: absent is null, not a problem.</summary>
    public static string? OptionalText(IQueryCollection query, string name, int maxLength, Dictionary<string, string[]> errors) =>
        query.ContainsKey(name) ? Text(query, name, maxLength, errors) : null;

    /// <summary>Throws the 400 for the problems <see cref="Text"/> collected, if any.</summary>
    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
            throw ApiException.Invalid(string.Join("; ", errors.Select(e => $"{e.Key} {e.Value[0]}")), errors);
    }
}
