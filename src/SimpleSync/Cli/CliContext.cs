using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

/// <summary>What a command runs with: its arguments, the standard streams and the environment.</summary>
internal sealed class CliContext(
    CliCommand command,
    ParsedArgs args,
    TextReader stdin,
    TextWriter stdout,
    TextWriter stderr,
    IReadOnlyDictionary<string, string> environment,
    bool stdinIsTerminal)
{
    public CliCommand Command { get; } = command;
    public IReadOnlyList<string> Args => args.Positionals;
    public TextReader In { get; } = stdin;
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    public string? Option(string name) => args.Options.GetValueOrDefault(name);

    public bool Flag(string name) => args.Flags.Contains(name);

    /// <summary>Loads and validates the configuration; a <see cref="ConfigException"/> ends the command with exit code 2.</summary>
    public SimpleSyncOptions LoadOptions() => ConfigLoader.Load(Option("--config"), Environment);

    /// <summary>
    /// Opens the configured store. Commands that only read or change what is there refuse a SQLite
    /// file that does not exist; commands that add (user add, acl set, import) may create it, so a
    /// store can be prepared before the first start.
    /// </summary>
    public async Task<IEventStore> OpenStoreAsync(SimpleSyncOptions options, bool create)
    {
        try
        {
            return await EventStores.OpenAsync(options.Storage, committed: null, create, CancellationToken.None);
        }
        catch (StoreMissingException ex)
        {
            throw new CommandFailedException(ex.Message);
        }
    }

    /// <summary>
    /// Reads a password: the first line of stdin when it is piped, or typed without echo at a
    /// terminal (twice, to catch typos). Never from the command line, where other users could see it.
    /// </summary>
    public string ReadPassword()
    {
        if (!stdinIsTerminal)
        {
            return In.ReadLine()?.TrimEnd('\r')
                ?? throw new UsageException($"{Command.Name}: expected the password on standard input");
        }
        var first = ReadHidden("New password: ");
        var second = ReadHidden("Repeat it: ");
        return first == second ? first : throw new UsageException($"{Command.Name}: the two passwords differ");
    }

    private string ReadHidden(string prompt)
    {
        Error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
                break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                    text.Length--;
                continue;
            }
            text.Append(key.KeyChar);
        }
        Error.WriteLine();
        return text.ToString();
    }
}
