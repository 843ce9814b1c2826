using System.Runtime.InteropServices;
using System.Text;
using SimpleSync.Config;

namespace SimpleSync.Storage;

/// <summary>What lets other users at a file, and the command that takes it away from them.</summary>
internal sealed record Exposure(string Reason, string Fix);

/// <summary>
/// Whether a file or directory is private to the user running the server: no group or other
/// permission bits, and that user owns it. .NET reports the mode but not the owner, so on Linux
/// both come from statx(2) in libc; on other Unix systems only the mode is checked, and Windows
/// has no mode to check.
/// </summary>
internal static partial class FilePrivacy
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Null when only the server's user can reach <paramref name="path"/> (following symlinks, as opening it does).</summary>
    public static Exposure? Check(string path)
    {
        if (OperatingSystem.IsWindows())
            return null;
        var isDirectory = Directory.Exists(path);
        var (mode, owner) = Stat(path);
        var reasons = new List<string>();
        var fixes = new List<string>();
        var quoted = Quote(path);
        if (owner is { } uid && Statx.CurrentUser() is var me && uid != me)
        {
            reasons.Add($"it is owned by uid {uid} while the server runs as uid {me}");
            fixes.Add($"chown {me} {quoted}");
        }
        if ((mode & GroupOrOther) != 0)
        {
            reasons.Add($"it has mode {Octal(mode)} (its group or other users have access)");
            fixes.Add($"chmod {(isDirectory ? "700" : "600")} {quoted}");
        }
        return reasons.Count == 0 ? null : new Exposure(string.Join(" and ", reasons), string.Join(" && ", fixes));
    }

    /// <summary>
    /// Warns, once at start-up, when other users can reach the SQLite file (events and password
    /// hashes) or its directory. A warning rather than a refusal: the server runs, but the operator
    /// is told what is exposed and how to fix it.
    /// </summary>
    public static void WarnAboutStore(StorageSection storage, ILogger logger)
    {
        if (storage.Provider != "sqlite")
            return;
        var database = Path.GetFullPath(storage.SqlitePath);
        if (File.Exists(database) && Check(database) is { } file)
            Exposed(logger, "database", database, file.Reason, file.Fix);
        var directory = Path.GetDirectoryName(database)!;
        if (Check(directory) is { } folder)
            Exposed(logger, "data directory", directory, folder.Reason, folder.Fix);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Path}: the {What} should be private to the user running the server, but {Reason}; fix: {Fix}")]
    private static partial void Exposed(ILogger logger, string what, string path, string reason, string fix);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static (UnixFileMode Mode, uint? Owner) Stat(string path)
    {
        if (OperatingSystem.IsLinux() && Statx.TryRead(path, out var mode, out var owner))
            return (mode, owner);
        return (File.GetUnixFileMode(path), null);
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    /// <summary>The path as a shell word, so the suggested command can be pasted as it is.</summary>
    private static string Quote(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '+' or ',' or ':' or '@')
            ? path
            : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// statx(2) and geteuid(2) from libc. struct statx has the same layout on every architecture:
    /// stx_mask (u32) at byte 0, stx_uid (u32) at 20, stx_mode (u16) at 28; 256 bytes in all.
    /// </summary>
    private static class Statx
    {
        private const int AtFdCwd = -100;
        private const uint ModeAndUid = 0x2 /* STATX_MODE */ | 0x8 /* STATX_UID */;
        private const int NotPermitted = 1, NoSuchCall = 38;
        private static bool s_missing;

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Call(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern uint GetEffectiveUserId();

        public static uint CurrentUser() => GetEffectiveUserId();

        /// <summary>False when statx is unavailable (glibc before 2.28, older musl, old kernels and sandboxes) or did not fill both fields.</summary>
        public static bool TryRead(string path, out UnixFileMode mode, out uint owner)
        {
            (mode, owner) = (default, default);
            if (s_missing)
                return false;
            var buffer = new byte[256];
            try
            {
                if (Call(AtFdCwd, Encoding.UTF8.GetBytes(path + "\0"), 0, ModeAndUid, buffer) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    // ENOSYS: a kernel before 4.11; EPERM: a container's seccomp profile that predates statx.
                    if (errno is NoSuchCall or NotPermitted)
                        return Unavailable();
                    throw new IOException($"{path}: cannot read its owner and mode: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
            }
            catch (EntryPointNotFoundException)
            {
                return Unavailable();
            }
            // Native byte order, as the kernel wrote them.
            if ((MemoryMarshal.Read<uint>(buffer) & ModeAndUid) != ModeAndUid)
                return false;
            owner = MemoryMarshal.Read<uint>(buffer.AsSpan(20));
            mode = (UnixFileMode)(MemoryMarshal.Read<ushort>(buffer.AsSpan(28)) & 0xFFF);
            return true;
        }

        /// <summary>Remembers that statx cannot be used, so the mode-only check follows without retrying.</summary>
        private static bool Unavailable()
        {
            s_missing = true;
            return false;
        }
    }
}
