using System.Diagnostics;

namespace SimpleSync.LoadGen.Peer;

/// <summary>
/// The npm package in bench/peer that pins PouchDB Server and everything under it
/// (package-lock.json). It is installed with <c>npm ci</c> the first time the peer is needed, and
/// again when the lock file is newer than the installed tree.
/// </summary>
internal static class PeerPackage
{
    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static PeerInstall? _installed;

    /// <summary>Installs the package if needed; returns what to run with node.</summary>
    public static async Task<PeerInstall> EnsureInstalledAsync(Action<string> log, CancellationToken ct)
    {
        await Installing.WaitAsync(ct);
        try
        {
            return _installed ??= await InstallAsync(log, ct);
        }
        finally
        {
            Installing.Release();
        }
    }

    private static async Task<PeerInstall> InstallAsync(Action<string> log, CancellationToken ct)
    {
        var root = ServerBuild.RepositoryRoot() ?? throw new BenchException("cannot find the repository, and so bench/peer, above the load generator");
        var folder = Path.Combine(root, "bench", "peer");
        var node = await RunAsync("node", ["--version"], folder, ct);
        if (node.ExitCode != 0 || !int.TryParse(node.LastLine.TrimStart('v').Split('.')[0], out var major) || major < 20)
            throw new BenchException($"the peer needs Node.js 20 or later on the PATH (node --version: {node.LastLine})");
        // npm ci records what it installed here; a lock file changed since then means a stale tree.
        var installed = new FileInfo(Path.Combine(folder, "node_modules", ".package-lock.json"));
        var lockFile = new FileInfo(Path.Combine(folder, "package-lock.json"));
        if (!installed.Exists || installed.LastWriteTimeUtc < lockFile.LastWriteTimeUtc)
        {
            log($"installing the peer with npm ci in {folder} (once)");
            // --ignore-scripts: leveldown ships prebuilt binaries that node-gyp-build finds when it is
            // loaded, so its install script has nothing to do; the script of sqlite3 (only for
            // pouchdb-server --sqlite, which is not used) would try to download a binary and fail.
            var npm = await RunAsync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], folder, ct);
            if (npm.ExitCode != 0)
                throw new BenchException($"npm ci in {folder} failed (exit code {npm.ExitCode}): {npm.LastLine}");
        }
        var script = Path.Combine(folder, "node_modules", "pouchdb-server", "bin", "pouchdb-server");
        return File.Exists(script) ? new PeerInstall(script, node.LastLine) : throw new BenchException($"npm ci in {folder} did not install {script}");
    }

    /// <param name="Script">The pouchdb-server script, run with node.</param>
    /// <param name="NodeVersion">What <c>node --version</c> printed.</param>
    public sealed record PeerInstall(string Script, string NodeVersion);

    private sealed record Outcome(int ExitCode, string LastLine);

    /// <summary>Runs a command, its output going to our stderr (progress), and keeps its last line for an error message.</summary>
    private static async Task<Outcome> RunAsync(string file, IReadOnlyList<string> args, string folder, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var last = "";
        try
        {
            using var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => Note(e.Data);
            process.ErrorDataReceived += (_, e) => Note(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await process.WaitForExitAsync(ct);
            return new Outcome(process.ExitCode, last);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Outcome(127, $"{file} is not on the PATH");
        }

        void Note(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
                return;
            last = line.Trim();
            Console.Error.WriteLine($"  {file}: {last}");
        }
    }
}
