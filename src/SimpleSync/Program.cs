using SimpleSync.Cli;

// The whole program: parse the command and run it. Configuration comes from the TOML file and
// SIMPLESYNC_* variables, read once by the command that needs it.
var environment = Environment.GetEnvironmentVariables()
    .Cast<System.Collections.DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
return await CliApp.RunAsync(args, Console.In, Console.Out, Console.Error, environment, PasswordReader.ConsoleKeys());
