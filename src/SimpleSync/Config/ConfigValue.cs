using System.Text.RegularExpressions;
using Tomlyn.Model;

namespace SimpleSync.Config;

/// <summary>
/// Converts one raw value (a TOML value, or the text of an environment variable) to the type a
/// key wants. Each returns null and sets <c>problem</c> when the value is unusable.
/// </summary>
internal static partial class ConfigValue
{
    public static string? Text(object raw, out string? problem)
    {
        problem = raw is string ? null : "must be a string";
        return raw as string;
    }

    public static long? Integer(object raw, long min, long max, out string? problem)
    {
        long? value = raw switch
        {
            long l => l,
            string s when long.TryParse(s, out var parsed) => parsed,
            _ => null,
        };
        problem = value is null ? "must be an integer"
            : value < min || value > max ? $"must be between {min} and {max} (got {value})"
            : null;
        return problem is null ? value : null;
    }

    /// <summary>A duration as a number and a unit: "500ms", "30s", "5m", "12h", "7d".</summary>
    public static TimeSpan? Duration(object raw, TimeSpan min, TimeSpan max, out string? problem)
    {
        problem = null;
        if (raw is not string text || DurationPattern().Match(text) is not { Success: true } match
            || !long.TryParse(match.Groups[1].Value, out var amount) || amount > 1_000_000)
        {
            problem = "must be a duration such as \"30s\", \"5m\", \"12h\" or \"7d\"";
            return null;
        }
        var value = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
        if (value < min || value > max)
        {
            problem = $"must be between {Format(min)} and {Format(max)} (got \"{text}\")";
            return null;
        }
        return value;
    }

    /// <summary>A TOML array of strings, or comma-separated text from the environment.</summary>
    public static IReadOnlyList<string>? StringList(object raw, out string? problem)
    {
        problem = null;
        switch (raw)
        {
            case string s:
                return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            case TomlArray array when array.All(v => v is string):
                return array.Cast<string>().ToList();
            default:
                problem = "must be an array of strings";
                return null;
        }
    }

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays) ? $"{value.TotalDays}d"
        : value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? $"{value.TotalHours}h"
        : value.TotalMinutes >= 1 && value.TotalMinutes == Math.Floor(value.TotalMinutes) ? $"{value.TotalMinutes}m"
        : value.TotalSeconds >= 1 && value.TotalSeconds == Math.Floor(value.TotalSeconds) ? $"{value.TotalSeconds}s"
        : $"{value.TotalMilliseconds}ms";

    [GeneratedRegex(@"^\s*(\d+)\s*(ms|s|m|h|d)\s*$")]
    private static partial Regex DurationPattern();
}
