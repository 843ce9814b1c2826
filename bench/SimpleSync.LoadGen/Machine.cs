using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SimpleSync.LoadGen;

/// <summary>Where the figures were taken: they mean little without the machine and the build.</summary>
internal sealed record Machine(
    int Cores,
    string CpuModel,
    double MemoryGb,
    string Os,
    string Runtime,
    string Configuration,
    string ServerDll,
    string? Commit,
    DateTimeOffset At)
{
    public static Machine Describe(string serverDll) => new(
        Environment.ProcessorCount,
        ProcFs.CpuModel(),
        ProcFs.MemTotalKb() / 1024.0 / 1024.0,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ServerBuild.Configuration,
        serverDll,
        ServerBuild.Commit(),
        DateTimeOffset.UtcNow);

    public override string ToString() =>
        $"{Cores} cores, {CpuModel}, {MemoryGb:0.0} GB; {Os}; {Runtime}; {Configuration} build" +
        (Commit is null ? "" : $" of {Commit}") + $"; {At:yyyy-MM-dd HH:mm} UTC";
}

/// <summary>
/// Finds the server to start: the build of src/SimpleSync in the load generator's own
/// configuration (the project reference builds it), unless --server names one.
/// </summary>
internal static class ServerBuild
{
    public static string Configuration =>
        typeof(ServerBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";

    public static string Locate(LoadGenOptions options)
    {
        if (options.ServerDll is { } given)
            return File.Exists(given) ? Path.GetFullPath(given) : throw new BenchException($"--server: no such file {given}");
        var root = RepositoryRoot() ?? throw new BenchException("cannot find the repository (SimpleSync.slnx) above the load generator; use --server");
        var framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var dll = Path.Combine(root, "src", "SimpleSync", "bin", Configuration, framework, "simple-sync.dll");
        return File.Exists(dll) ? dll : throw new BenchException($"no server build at {dll}; build with: dotnet build -c {Configuration} src/SimpleSync");
    }

    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SimpleSync.slnx")))
                return dir.FullName;
        }
        return null;
    }

    /// <summary>The repository's commit, when git is there to ask; the figures belong to it.</summary>
    public static string? Commit()
    {
        if (RepositoryRoot() is not { } root)
            return null;
        try
        {
            var info = new ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = Process.Start(info)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
