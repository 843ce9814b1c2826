using Microsoft.Data.Sqlite;
using SimpleSync.Config;
using SimpleSync.Errors;
using SimpleSync.Health;

namespace SimpleSync.Cli;

/// <summary>
/// The executable's front door: finds the command, handles --help and --version, and turns every
/// failure into one line on stderr and an exit code (0 ok, 1 runtime failure, 2 bad usage or config).
/// </summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    public static IReadOnlyList<CliCommand> Commands { get; } =
    [
        ServeCommand.Command,
        InitCommand.Command,
        .. UserCommands.Commands,
        .. AclCommands.Commands,
        .. HistoryCommands.Commands,
        BackupCommand.Command,
        MigrateCommand.Command,
    ];

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string> environment, bool stdinIsTerminal)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? stderr : stdout).Write(Overview());
            return args.Length == 0 ? BadUsage : Ok;
        }
        if (args[0] == "--version")
        {
            stdout.WriteLine($"simple-sync {HealthEndpoints.Version}");
            return Ok;
        }

        var command = Find(args);
        if (command is null)
        {
            var group = Commands.Any(c => c.Name.StartsWith(args[0] + " ", StringComparison.Ordinal));
            if (group && (args.Length == 1 || args[1] is "--help" or "-h"))
            {
                // A group word alone is bad usage: the overview goes where errors go.
                (args.Length == 1 ? stderr : stdout).Write(Overview(args[0]));
                return args.Length == 1 ? BadUsage : Ok;
            }
            stderr.WriteLine($"simple-sync: unknown command '{string.Join(' ', args.Take(group ? 2 : 1))}' (see simple-sync --help)");
            return BadUsage;
        }

        var words = args.Skip(command.Name.Split(' ').Length);
        try
        {
            var parsed = ParsedArgs.Parse(words, command);
            if (parsed.Help)
            {
                stdout.Write(command.Help);
                return Ok;
            }
            if (parsed.Positionals.Count < command.MinArgs || parsed.Positionals.Count > command.MaxArgs)
                throw new UsageException($"{command.Name}: expected {command.Usage}");
            return await command.Run(new CliContext(command, parsed, stdin, stdout, stderr, environment, stdinIsTerminal));
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"simple-sync {ex.Message} (see simple-sync {command.Name} --help)");
            return BadUsage;
        }
        catch (ConfigException ex)
        {
            stderr.WriteLine($"simple-sync: {ex.Message}");
            return BadUsage;
        }
        catch (Exception ex) when (ex is ApiException or InvalidOperationException or IOException
                                       or UnauthorizedAccessException or SqliteException or Npgsql.NpgsqlException or CommandFailedException)
        {
            stderr.WriteLine($"simple-sync {command.Name}: {OneLine(ex.Message)}");
            return Failed;
        }
        catch (Exception ex)
        {
            // Anything unforeseen still ends as one line and exit code 1, not a stack trace and an abort.
            stderr.WriteLine($"simple-sync {command.Name}: unexpected error ({ex.GetType().Name}): {OneLine(ex.Message)}");
            return Failed;
        }
    }

    private static CliCommand? Find(string[] args) =>
        Commands.FirstOrDefault(c => c.Name == (args.Length > 1 && c.Name.Contains(' ') ? $"{args[0]} {args[1]}" : args[0]));

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static string Overview(string? group = null)
    {
        var shown = Commands.Where(c => group is null || c.Name.StartsWith(group + " ", StringComparison.Ordinal)).ToList();
        var width = shown.Max(c => (c.Name + " " + c.Arguments).Length);
        var lines = shown.Select(c => $"  {(c.Name + " " + c.Arguments).PadRight(width)}  {c.Summary}");
        return $"Usage: simple-sync <command> [arguments] [--config FILE]\n\n" +
               "SimpleSync: a sync server for local-first apps.\n\nCommands:\n" +
               string.Join('\n', lines) +
               "\n\nRun 'simple-sync <command> --help' for details; 'simple-sync --version' for the version.\n";
    }
}

/// <summary>A command that ran but could not do its job (exit code 1), with a message for the user.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);
