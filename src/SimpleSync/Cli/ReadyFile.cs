using System.Text.Json;
using SimpleSync.Health;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

/// <summary>
/// Where a supervisor or a test learns, without reading the human output, that the server is
/// up and at which addresses: with port 0 only the bound server knows its port.
/// </summary>
internal sealed class ReadyFile(string path)
{
    private byte[]? _written;

    /// <summary>
    /// Refuses, before anything is served, a path whose directory is missing or cannot take a
    /// new file, by staging (and discarding) a file there as the real write will.
    /// </summary>
    public static ReadyFile Check(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"serve: {ServeCommand.ReadyFileOption} {full} is a directory");
        if (File.Exists(full) && !IsReadyFile(full))
            throw new UsageException($"serve: {ServeCommand.ReadyFileOption} {full} exists and is not a ready file; it is left as it is (name a new file)");
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new UsageException($"serve: {ServeCommand.ReadyFileOption} {full}: the directory {directory} does not exist");
        try
        {
            using (PrivateFiles.Stage(full))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"serve: {ServeCommand.ReadyFileOption} {full}: cannot write in {directory} ({(ex is UnauthorizedAccessException ? "permission denied" : ex.Message)})");
        }
        return new ReadyFile(full);
    }

    /// <summary>
    /// A file a server wrote before (one that did not stop cleanly leaves it): replaced. Anything
    /// else at that path — a config, a database, a typo — is never overwritten or deleted.
    /// </summary>
    private static bool IsReadyFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > 64 * 1024)
                return false;
            using var json = JsonDocument.Parse(stream);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("urls", out _) && json.RootElement.TryGetProperty("pid", out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes the file. The path is checked again first: the server creates files while it starts
    /// (the database, the JWT secret, the first admin password), and a ready file named after one of
    /// them must not replace it. Refused like at <see cref="Check"/>, and the server stops.
    /// </summary>
    public void Write(IReadOnlyList<string> urls, string store)
    {
        if (File.Exists(path) && !IsReadyFile(path))
            throw new UsageException($"serve: {ServeCommand.ReadyFileOption} {path} was created while the server started (it is one of its own files); it is left as it is (name a new file)");
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("urls");
            foreach (var url in urls)
                json.WriteStringValue(url);
            json.WriteEndArray();
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteString("version", HealthEndpoints.Version);
            json.WriteString("store", store);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        _written = buffer.ToArray();
        using var staged = PrivateFiles.Stage(path);
        staged.Stream.Write(_written);
        staged.Publish(overwrite: true);
    }

    /// <summary>
    /// Gone at a clean stop, so a file that remains means the server did not stop cleanly. Only the
    /// file this server wrote is removed: whatever replaced it since is left as it is.
    /// </summary>
    public void Remove()
    {
        try
        {
            if (_written is not null && new FileInfo(path) is { Exists: true, Length: <= 64 * 1024 } && File.ReadAllBytes(path).AsSpan().SequenceEqual(_written))
                File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left in place: a stale ready file says the server did not stop cleanly, no worse.
        }
    }
}
