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

    public void Write(IReadOnlyList<string> urls, string store)
    {
        using var staged = PrivateFiles.Stage(path);
        using (var json = new Utf8JsonWriter(staged.Stream))
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
        staged.Stream.WriteByte((byte)'\n');
        staged.Publish(overwrite: true);
    }

    /// <summary>Gone at a clean stop, so a file that remains means the server did not stop cleanly.</summary>
    public void Remove() => File.Delete(path);
}
