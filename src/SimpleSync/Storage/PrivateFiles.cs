using System.Text;

namespace SimpleSync.Storage;

/// <summary>
/// Files only their owner may read (the store, its backups, exports, the JWT secret, the first
/// admin password): created with their mode from the first byte, so there is no moment in which
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

    /// <summary>
    /// Creates a new, owner-only file; fails if <paramref name="path"/> exists, even as a symlink
    /// (O_CREAT|O_EXCL), so a link planted at the name is never followed.
    /// </summary>
    public static FileStream CreateNew(string path)
    {
        // Shared for writing: a staged backup is filled by SQLite through its own handle.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerFile;
        return new FileStream(path, options);
    }

    /// <summary>
    /// The one way a private file is published: written under a random name beside
    /// <paramref name="destination"/>, then flushed and renamed into place by
    /// <see cref="StagedFile.Publish"/>. Fails with the directory's name if it does not exist.
    /// </summary>
    public static StagedFile Stage(string destination) => new(destination);

    /// <summary>Writes a whole owner-only file atomically: a crash leaves the old file or the new one.</summary>
    public static void Write(string path, string content)
    {
        CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var staged = Stage(path);
        staged.Stream.Write(Encoding.UTF8.GetBytes(content));
        staged.Publish(overwrite: true);
    }
}
