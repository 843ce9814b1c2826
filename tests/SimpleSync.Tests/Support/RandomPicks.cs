namespace SimpleSync.Tests.Support;

/// <summary>Choices drawn from a seeded <see cref="Random"/>, for generated inputs that a seed reproduces.</summary>
internal static class RandomPicks
{
    public static T One<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>True with probability <paramref name="percent"/> in 100.</summary>
    public static bool Percent(this Random random, int percent) => random.Next(100) < percent;

    /// <summary>Printable ASCII (0x20 to 0x7e) of the given length: anything an HTTP header may carry.</summary>
    public static string Ascii(this Random random, int length) =>
        string.Create(length, random, (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
                chars[i] = (char)r.Next(0x20, 0x7f);
        });
}
