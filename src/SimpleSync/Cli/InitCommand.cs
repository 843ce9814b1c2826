using SimpleSync.Auth;
using SimpleSync.Config;

namespace SimpleSync.Cli;

internal static class InitCommand
{
    public static CliCommand Command { get; } = new(
        "init", "[--force]", "Write a commented default config and create the JWT secret.",
        """
        Writes simple-sync.toml (or the file named by --config or $SIMPLESYNC_CONFIG) with every key
        at its default and a comment saying what it does, then creates the JWT secret file (mode 0600)
        if it is missing. An existing config is kept unless --force is given; the secret is always kept.
        """,
        0, 0, [], RunAsync)
    { Flags = ["--force"] };

    private static Task<int> RunAsync(CliContext cli)
    {
        var force = cli.Flag("--force");
        // The same file serve would read: --config, else $SIMPLESYNC_CONFIG, else ./simple-sync.toml.
        var named = cli.Option("--config") ?? cli.Environment.GetValueOrDefault(ConfigLoader.ConfigFileVariable);
        if (named is { Length: 0 })
            throw new UsageException($"init: {ConfigLoader.ConfigFileVariable} is empty");
        var file = Path.GetFullPath(named ?? ConfigLoader.DefaultFile);
        if (File.Exists(file) && !force)
        {
            cli.Out.WriteLine($"kept {file}, which already exists (use --force to overwrite it)");
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, ConfigTemplate.Text);
            cli.Out.WriteLine($"wrote {file}");
        }
        var options = ConfigLoader.Load(file, cli.Environment);
        var existed = File.Exists(options.Auth.JwtSecretFile);
        SigningKey.LoadOrCreate(options.Auth.JwtSecretFile);
        cli.Out.WriteLine($"{(existed ? "kept" : "created")} the JWT secret {options.Auth.JwtSecretFile}");
        return Task.FromResult(CliApp.Ok);
    }
}
