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

    /// <summary>
    /// Runs one invocation. <paramref name="terminalKeys"/> gives the keys typed at the terminal,
    /// read without echo; null when stdin is not a terminal (a password is then its first line).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string> environment, Func<ConsoleKeyInfo>? terminalKeys) => args switch
        {
            // A bare "simple-sync" is bad usage: the overview goes where errors go.
            [] => WriteOverview(stderr, BadUsage),
            ["--help" or "-h" or "help", ..] => WriteOverview(stdout, Ok),
            ["--version", ..] => WriteVersion(stdout),
            _ when Find(args) is { } command => await RunCommandAsync(command, args, stdout, stderr,
                parsed => new CliContext(command, parsed, stdin, stdout, stderr, environment, terminalKeys)),
            _ => AnswerUnknown(args, stdout, stderr),
        };

    private static async Task<int> RunCommandAsync(CliCommand command, string[] args, TextWriter stdout, TextWriter stderr,
        Func<ParsedArgs, CliContext> contextFor)
    {
        try
        {
            var parsed = Parse(command, args);
            if (!parsed.Help)
                return await command.Run(contextFor(parsed));
            stdout.Write(command.Help);
            return Ok;
        }
        catch (Exception ex)
        {
            var (exitCode, line) = Failure(command, ex);
            stderr.WriteLine(line);
            return exitCode;
        }
    }

    /// <summary>The words after the command's name; help is answered whatever the number of arguments.</summary>
    private static ParsedArgs Parse(CliCommand command, string[] args)
    {
        var parsed = ParsedArgs.Parse(args.Skip(command.Name.Split(' ').Length), command);
        if (!parsed.Help && (parsed.Positionals.Count < command.MinArgs || parsed.Positionals.Count > command.MaxArgs))
            throw new UsageException($"{command.Name}: expected {command.Usage}");
        return parsed;
    }

    /// <summary>Every failure of a command as an exit code and the one line that says what went wrong.</summary>
    private static (int ExitCode, string Line) Failure(CliCommand command, Exception ex) => ex switch
    {
        UsageException => (BadUsage, $"simple-sync {ex.Message} (see simple-sync {command.Name} --help)"),
        ConfigException => (BadUsage, $"simple-sync: {ex.Message}"),
        ApiException or InvalidOperationException or IOException or UnauthorizedAccessException
            or SqliteException or Npgsql.NpgsqlException or CommandFailedException
            => (Failed, $"simple-sync {command.Name}: {OneLine(ex.Message)}"),
        // Anything unforeseen still ends as one line and exit code 1, not a stack trace and an abort.
        _ => (Failed, $"simple-sync {command.Name}: unexpected error ({ex.GetType().Name}): {OneLine(ex.Message)}"),
    };

    /// <summary>A group word ("user") alone is bad usage and shows the group; with --help it is an answer.</summary>
    private static int AnswerUnknown(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var group = Commands.Any(c => c.Name.StartsWith(args[0] + " ", StringComparison.Ordinal));
        if (group && args.Length == 1)
            return WriteOverview(stderr, BadUsage, args[0]);
        if (group && args[1] is "--help" or "-h")
            return WriteOverview(stdout, Ok, args[0]);
        stderr.WriteLine($"simple-sync: unknown command '{string.Join(' ', args.Take(group ? 2 : 1))}' (see simple-sync --help)");
        return BadUsage;
    }

    private static int WriteOverview(TextWriter writer, int exitCode, string? group = null)
    {
        writer.Write(Overview(group));
        return exitCode;
    }

    private static int WriteVersion(TextWriter stdout)
    {
        stdout.WriteLine($"simple-sync {HealthEndpoints.Version}");
        return Ok;
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
