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
    Func<ConsoleKeyInfo>? terminalKeys)
{
    public CliCommand Command { get; } = command;
    public IReadOnlyList<string> Args => args.Positionals;
    public TextReader In { get; } = stdin;
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    /// <summary>Where the password of user add and user passwd comes from: stdin, or the terminal without echo.</summary>
    public PasswordReader Passwords { get; } = new(command.Name, stdin, stderr, terminalKeys);

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
            return await EventStores.OpenAsync(options.Storage, committed: null, create, keepReads: false, CancellationToken.None);
        }
        catch (StoreMissingException ex)
        {
            throw new CommandFailedException(ex.Message);
        }
    }
}
