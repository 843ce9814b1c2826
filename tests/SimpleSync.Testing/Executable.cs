using System.Diagnostics;

namespace SimpleSync.Testing;

/// <summary>
/// How the real <c>simple-sync</c> executable is started: <c>dotnet simple-sync.dll</c> with only
/// the settings the caller gives. Inherited SIMPLESYNC_* and ASPNETCORE_* variables are removed,
/// so the calling shell cannot change what is tested or measured.
/// </summary>
internal static class Executable
{
    /// <summary>The server's build output beside the running assembly (test projects reference the server).</summary>
    public static string DefaultDll => Path.Combine(AppContext.BaseDirectory, "simple-sync.dll");

    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// A start of <paramref name="program"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>,
    /// all three standard streams redirected; a null value in <paramref name="environment"/> removes that variable.
    /// </summary>
    public static ProcessStartInfo StartInfo(string program, string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(IsOurs).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    /// <summary>
    /// Runs <c>simple-sync</c> itself: the host, the dll, then <paramref name="args"/>; or, when
    /// <paramref name="dll"/> names a native build (Native AOT, no <c>.dll</c>), that executable.
    /// </summary>
    public static ProcessStartInfo SimpleSync(string workingDirectory, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null, string? dll = null)
    {
        var path = dll ?? DefaultDll;
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? StartInfo(DotnetHost, workingDirectory, [path, .. args], environment)
            : StartInfo(path, workingDirectory, args, environment);
    }

    private static bool IsOurs(string name) =>
        name.StartsWith("SIMPLESYNC_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.Equals("DOTNET_URLS", StringComparison.OrdinalIgnoreCase);
}
