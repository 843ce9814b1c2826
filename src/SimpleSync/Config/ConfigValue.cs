using System.Text.RegularExpressions;
using Tomlyn.Model;

namespace SimpleSync.Config;

/// <summary>The text of a SIMPLESYNC_* variable: untyped, so it is parsed as the key's type.</summary>
internal sealed record EnvironmentText(string Text);

/// <summary>
/// Converts one raw value (a TOML value, or the <see cref="EnvironmentText"/> of a variable) to
/// the type a key wants. A TOML value must already have the right TOML type: "100" is a string,
/// not a number, and "admin" is not an array. Each returns null and sets <c>problem</c> when the
/// value is unusable.
/// </summary>
internal static partial class ConfigValue
{
    public static string? Text(object raw, out string? problem)
    {
        var text = raw switch
        {
            string s => s,
            EnvironmentText e => e.Text,
            _ => null,
        };
        problem = text is null ? $"must be a string (got {Describe(raw)})" : null;
        return text;
    }

    public static long? Integer(object raw, long min, long max, out string? problem)
    {
        long? value = raw switch
        {
            long l => l,
            EnvironmentText e when long.TryParse(e.Text, System.Globalization.NumberStyles.AllowLeadingSign, null, out var parsed) => parsed,
            _ => null,
        };
        problem = value is null ? $"must be an integer (got {Describe(raw)})"
            : value < min || value > max ? $"must be between {min} and {max} (got {value})"
            : null;
        return problem is null ? value : null;
    }

    /// <summary>A duration as a number and a unit: "500ms", "30s", "5m", "12h", "7d".</summary>
    public static TimeSpan? Duration(object raw, TimeSpan min, TimeSpan max, out string? problem)
    {
        problem = null;
        if (Text(raw, out _) is not { } text || DurationPattern().Match(text) is not { Success: true } match
            || !long.TryParse(match.Groups[1].Value, out var amount) || amount > 1_000_000)
        {
            problem = $"must be a duration such as \"30s\", \"5m\", \"12h\" or \"7d\" (got {Describe(raw)})";
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
            case EnvironmentText e:
                return e.Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            case TomlArray array when array.All(v => v is string):
                return array.Cast<string>().ToList();
            default:
                problem = $"must be an array of strings such as [\"admin\"] (got {Describe(raw)})";
                return null;
        }
    }

    /// <summary>How a rejected value is shown: as the user wrote it, with its TOML type when that is the problem.</summary>
    private static string Describe(object raw) => raw switch
    {
        EnvironmentText e => $"\"{e.Text}\"",
        string s => $"the string \"{s}\"",
        long or double => $"the number {Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture)}",
        bool b => b ? "true" : "false",
        TomlArray => "an array",
        TomlTable => "a table",
        _ => $"a {raw.GetType().Name}",
    };

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays) ? $"{value.TotalDays}d"
        : value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? $"{value.TotalHours}h"
        : value.TotalMinutes >= 1 && value.TotalMinutes == Math.Floor(value.TotalMinutes) ? $"{value.TotalMinutes}m"
        : value.TotalSeconds >= 1 && value.TotalSeconds == Math.Floor(value.TotalSeconds) ? $"{value.TotalSeconds}s"
        : $"{value.TotalMilliseconds}ms";

    [GeneratedRegex(@"^\s*(\d+)\s*(ms|s|m|h|d)\s*$")]
    private static partial Regex DurationPattern();
}
