namespace SimpleSync.Storage;

/// <summary>
/// Files only their owner may read (the store, its backups, the JWT secret, the first admin
/// password): created with their mode from the first byte, so there is no moment in which
/// another user could open them, in a directory that is 0700 when we create it.
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = OwnerFile | UnixFileMode.UserExecute;

    /// <summary>Creates the directory (and its parents) owner-only if it does not exist yet; an existing one is left as it is.</summary>
    public static void CreateDirectory(string directory)
    {
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory))
            return;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else
            Directory.CreateDirectory(directory, OwnerDirectory);
    }

    /// <summary>Creates a new, owner-only file; fails if <paramref name="path"/> exists.</summary>
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerFile;
        return new FileStream(path, options);
    }

    /// <summary>Writes a whole owner-only file atomically: a crash leaves the old file or the new one.</summary>
    public static void Write(string path, string content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        CreateDirectory(directory);
        // A random name: a file left by a crash must not block the next start (which in a
        // container may well have the same process id).
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        using (var stream = CreateNew(temp))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
