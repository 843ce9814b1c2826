namespace SimpleSync.Config;

/// <summary>Bad configuration: every problem found, each naming its key, and where it came from.</summary>
internal sealed class ConfigException(string source, IReadOnlyList<string> problems)
    : Exception($"invalid configuration in {source}: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
