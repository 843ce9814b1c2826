using System.Security.Cryptography;

namespace SimpleSync.Auth;

/// <summary>
/// The HS256 signing secret: 32 random bytes kept base64 in <c>auth.jwt_secret_file</c>. The
/// file is created with mode 0600 from the start (no window where others could read it), and
/// several servers sharing one database share the file to accept each other's tokens.
/// </summary>
internal static class SigningKey
{
    public const int Bytes = 32;

    public static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
            return Load(path);
        var key = RandomNumberGenerator.GetBytes(Bytes);
        WritePrivate(path, Convert.ToBase64String(key) + "\n");
        return key;
    }

    private static byte[] Load(string path)
    {
        var text = File.ReadAllText(path).Trim();
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{path}: the JWT secret must be base64 text (delete the file to create a new one)");
        }
        if (key.Length < Bytes)
            throw new InvalidOperationException($"{path}: the JWT secret must be at least {Bytes} bytes, it has {key.Length}");
        return key;
    }

    /// <summary>Writes a file only its owner can read, atomically: a crash leaves the old file or the new one.</summary>
    public static void WritePrivate(string path, string content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        // A random name: a file left by a crash must not block the next start (which in a
        // container may well have the same process id).
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
