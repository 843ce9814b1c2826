namespace SimpleSync.Cli;

/// <summary>A command the executable understands: its words, its help, and what it runs.</summary>
internal sealed record CliCommand(
    string Name,
    string Arguments,
    string Summary,
    string Details,
    int MinArgs,
    int MaxArgs,
    IReadOnlyList<string> ValueOptions,
    Func<CliContext, Task<int>> Run)
{
    /// <summary>Options that take no value, such as --force.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    public string Usage => $"simple-sync {Name}{(Arguments.Length > 0 ? " " + Arguments : "")} [--config FILE]";

    public string Help =>
        $"Usage: {Usage}\n\n{Summary}\n\n{Details.TrimEnd()}\n\n" +
        "Options:\n  --config FILE  the TOML config (default: $SIMPLESYNC_CONFIG, else ./simple-sync.toml if present)\n" +
        "  --help         show this help\n";
}

/// <summary>Bad usage: exit code 2, one line on stderr that says what was wrong.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The parsed words of one invocation.</summary>
internal sealed class ParsedArgs
{
    public List<string> Positionals { get; } = [];
    public Dictionary<string, string> Options { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);
    public bool Help { get; private set; }

    /// <summary>
    /// Splits words into positionals and --options; "--" ends options; only the given options take
    /// values. "-h" is help; any other word starting with "-" (except "-" itself, meaning stdin) is an
    /// unknown option, so a typo never becomes a file name. An empty word is never a valid argument.
    /// </summary>
    public static ParsedArgs Parse(IEnumerable<string> words, CliCommand command)
    {
        var result = new ParsedArgs();
        using var e = words.GetEnumerator();
        var onlyPositionals = false;
        while (e.MoveNext())
        {
            var word = e.Current;
            if (word.Length == 0)
                throw new UsageException($"{command.Name}: an argument is empty");
            if (onlyPositionals || !word.StartsWith('-') || word == "-")
            {
                result.Positionals.Add(word);
                continue;
            }
            if (word == "--")
            {
                onlyPositionals = true;
                continue;
            }
            var (name, inline) = word.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (word[..eq], word[(eq + 1)..]) : (word, null);
            if (name is "--help" or "-h")
            {
                result.Help = true;
                continue;
            }
            if (command.Flags.Contains(name) && inline is null)
            {
                result.Flags.Add(name);
                continue;
            }
            if (!command.ValueOptions.Contains(name) && name != "--config")
                throw new UsageException($"{command.Name}: unknown option {name}");
            var value = inline ?? (e.MoveNext() ? e.Current : throw new UsageException($"{command.Name}: {name} needs a value"));
            if (value.Length == 0)
                throw new UsageException($"{command.Name}: {name} needs a value");
            if (!result.Options.TryAdd(name, value))
                throw new UsageException($"{command.Name}: {name} given more than once");
        }
        return result;
    }
}
