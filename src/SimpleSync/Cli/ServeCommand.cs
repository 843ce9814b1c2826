using System.Text.Json;
using SimpleSync.Admin;
using SimpleSync.Health;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

internal static class ServeCommand
{
    private const string ReadyFileOption = "--ready-file";

    public static CliCommand Command { get; } = new(
        "serve", $"[{ReadyFileOption} PATH]", "Run the server.",
        """
        Serves the HTTP API on server.listen until SIGTERM or Ctrl+C. On a store with no users it
        creates the admin account and writes its password to 'initial-admin-password' next to the
        JWT secret (data/ by default), printing only that file's path.

        --ready-file PATH  once the server listens, write PATH (owner-only, replaced atomically):
                           {"urls":[...],"pid":N,"version":"...","store":"..."}, the addresses it
                           really got (useful with port 0); removed again at a clean shutdown. Its
                           directory must exist and be writable, and an existing file there must
                           be a ready file left by an earlier run, or the server does not start.
        """,
        0, 0, [ReadyFileOption], RunAsync);

    private static async Task<int> RunAsync(CliContext cli)
    {
        var readyFile = cli.Option(ReadyFileOption) is { } path ? ReadyFile.Check(path) : null;
        var options = cli.LoadOptions();
        await using var app = ServerApp.Build(options);
        await app.StartAsync();
        var store = app.Services.GetRequiredService<IEventStore>().Location;
        // Printed whatever the log level, before the listening line, which tells whoever waits
        // for it that start-up is complete.
        if (app.Services.GetRequiredService<InitialAdmin>().CreatedPasswordFile is { } passwordFile)
            cli.Out.WriteLine($"created the admin account; its password is in {passwordFile}");
        cli.Out.WriteLine($"simple-sync {HealthEndpoints.Version} listening on {string.Join(", ", app.Urls)} (store: {store})");
        await cli.Out.FlushAsync();
        // Last, so that a program which waits for the file finds everything above already printed.
        readyFile?.Write([.. app.Urls], store);
        try
        {
            await app.WaitForShutdownAsync();
        }
        finally
        {
            readyFile?.Remove();
        }
        return CliApp.Ok;
    }

    /// <summary>
    /// Where a supervisor or a test learns, without reading the human output, that the server is
    /// up and at which addresses: with port 0 only the bound server knows its port.
    /// </summary>
    private sealed class ReadyFile(string path)
    {
        /// <summary>
        /// Refuses, before anything is served, a path whose directory is missing or cannot take a
        /// new file, by staging (and discarding) a file there as the real write will.
        /// </summary>
        public static ReadyFile Check(string path)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
                throw new UsageException($"serve: {ReadyFileOption} {full} is a directory");
            if (File.Exists(full) && !IsReadyFile(full))
                throw new UsageException($"serve: {ReadyFileOption} {full} exists and is not a ready file; it is left as it is (name a new file)");
            var directory = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(directory))
                throw new UsageException($"serve: {ReadyFileOption} {full}: the directory {directory} does not exist");
            try
            {
                using (PrivateFiles.Stage(full))
                {
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"serve: {ReadyFileOption} {full}: cannot write in {directory} ({(ex is UnauthorizedAccessException ? "permission denied" : ex.Message)})");
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
}
