using System.Text;

namespace SimpleSync.Config;

/// <summary>
/// The files the configuration names (the config itself, secrets, certificates, the connection
/// string): read whole but bounded, so a path that leads to a device or a log (/dev/zero,
/// /var/log/syslog) is a clear error instead of a hang or a huge allocation; and told apart from
/// their earlier selves without being read, for the ones the server follows while it runs.
/// </summary>
internal static class ConfigFiles
{
    /// <summary>Far above any of them: a config, a certificate chain or a secret is a few kilobytes.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The file's text (a byte order mark decides the encoding, else UTF-8); an <see cref="IOException"/> past <see cref="MaxBytes"/>.</summary>
    public static string ReadText(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        using var content = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = file.Read(chunk)) > 0)
        {
            content.Write(chunk, 0, read);
            if (content.Length > MaxBytes)
                throw new IOException($"it is larger than {MaxBytes / 1024 / 1024} MiB, which is not what this setting names");
        }
        content.Position = 0;
        using var reader = new StreamReader(content, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Whether a file may have changed, without reading it: where the path leads (links followed), its size and its time.</summary>
    public readonly record struct Stamp(string Target, long Length, DateTime Written)
    {
        public static Stamp Of(string path)
        {
            try
            {
                var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
                var file = new FileInfo(target);
                return file.Exists ? new(target, file.Length, file.LastWriteTimeUtc) : new(target, -1, default);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone or hidden for now (a renewal half done): a stamp of its own, so that whatever comes next is a change.
                return new(path, -1, default);
            }
        }
    }
}
