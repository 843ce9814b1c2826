namespace SimpleSync.Client;

/// <summary>
/// Keeps the local store readable by its owner alone: it holds the login token. SQLite creates
/// a new database file with mode 0644 (less the umask), and its <c>-wal</c> and <c>-shm</c> files
/// take the database file's mode. So the empty file is created here first, 0600, and SQLite
/// then opens it: all three files are private from their first byte. On Windows, files inherit
/// the ACL of their folder (the user's profile), and nothing is done.
/// </summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="path"/> empty and owner-only if it does not exist; removes group and
    /// other permissions from an existing store (and its -wal and -shm files), such as one an
    /// earlier version created 0644.
    /// </summary>
    public static void Prepare(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = OwnerReadWrite };
        // OpenOrCreate applies the mode only when it creates the file, atomically with creating it.
        using (new FileStream(path, options))
        {
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & GroupOrOther) != 0)
                File.SetUnixFileMode(file, File.GetUnixFileMode(file) & ~GroupOrOther);
        }
    }
}
