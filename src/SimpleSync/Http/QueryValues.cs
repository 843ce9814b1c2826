using System.Globalization;
using Microsoft.Extensions.Primitives;
using SimpleSync.Errors;

namespace SimpleSync.Http;

/// <summary>Reads integer parameters (query values, Last-Event-ID) with one clear 400 for anything else.</summary>
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
}
