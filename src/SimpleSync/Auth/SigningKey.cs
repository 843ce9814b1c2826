using System.Security.Cryptography;
using SimpleSync.Storage;

namespace SimpleSync.Auth;

/// <summary>
/// The HS256 signing secret: 32 random bytes kept base64 in <c>auth.jwt_secret_file</c>. The
/// file is created with mode 0600 from the start (no window where others could read it), and
/// several servers sharing one database share the file to accept each other's tokens. An existing
/// file that other users can read or change is refused: whoever reads it can sign tokens for any
/// user, so it is never used quietly.
/// </summary>
internal static class SigningKey
{
    public const int Bytes = 32;

    public static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
            return Load(path);
        var key = RandomNumberGenerator.GetBytes(Bytes);
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var staged = PrivateFiles.Stage(path);
        staged.Stream.Write(System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(key) + "\n"));
        try
        {
            staged.Publish(overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another server sharing the directory created it first: every server must sign with one key.
            return Load(path);
        }
        return key;
    }

    private static byte[] Load(string path)
    {
        if (FilePrivacy.Check(path) is { } exposure)
            throw new InvalidOperationException($"{path}: the JWT secret must be private to the user running the server, but {exposure.Reason}; fix: {exposure.Fix} (if others may have read it, delete it instead: a new one is made at the next start and everyone logs in again)");
        var text = Config.ConfigFiles.ReadText(path).Trim();
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
}
