using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SimpleSync.Config;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Cli;

/// <summary>The seed's text format of a history, JSON Lines in history order, as export and import.</summary>
internal static class HistoryCommands
{
    private const int ImportBatch = 10_000;
    private const int MaxReportedProblems = 10;
    private const int ChunkBytes = 64 * 1024;

    private static readonly UTF8Encoding JsonLinesEncoding = new(encoderShouldEmitUTF8Identifier: false);

    public static IReadOnlyList<CliCommand> Commands { get; } =
    [
        new("export", "[--out FILE]", "Write the history as JSON Lines, in history order.",
            """
            Writes one event per line, ordered by timestamp then uuid, to stdout or to FILE. FILE is
            readable only by you (mode 0600); it is written under a random temporary name beside it and
            renamed when complete, so it is never half-written, and a symlink at FILE is replaced, not
            followed. The export is one consistent snapshot even while the server runs.
            """,
            0, 0, ["--out"], ExportAsync),
        new("import", "FILE", "Add the events of a JSON Lines file; prints counts.",
            """
            Reads FILE ('-' for stdin is not supported: the file is read twice). Every line is checked
            first; if any line is not a valid event, nothing is imported and the bad lines are named.
            Events already present are skipped, so importing the same file twice is harmless. An event
            whose uuid is present with different content is reported and not imported (exit code 1).
            """,
            1, 1, [], ImportAsync),
    ];

    private static async Task<int> ExportAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var file = cli.Option("--out") is { } o ? Path.GetFullPath(o) : null;
        await using var store = await cli.OpenStoreAsync(options, create: false);
        if (file is null)
        {
            // Whole lines are decoded for the console's writer, so no character is split in two.
            await WriteHistoryAsync(store, EncoderFor(cli.Out), chunk => cli.Out.WriteAsync(JsonLinesEncoding.GetString(chunk.Span)));
            await cli.Out.FlushAsync();
            return CliApp.Ok;
        }
        // The history may hold anything users pushed: the file is private to its owner, staged under
        // a random name and renamed into place, so it is never half-written or written through a link.
        using var staged = PrivateFiles.Stage(file);
        var count = await WriteHistoryAsync(store, EventJson.Encoder, chunk => staged.Stream.WriteAsync(chunk).AsTask());
        staged.Publish(overwrite: true);
        cli.Out.WriteLine($"exported {count} events to {file}");
        return CliApp.Ok;
    }

    /// <summary>
    /// Writes one snapshot of the history as JSON Lines, in chunks of whole lines of UTF-8 (the
    /// console's writer flushes on every write, and a system call per event would dominate the
    /// export); returns the number of events.
    /// </summary>
    private static async Task<long> WriteHistoryAsync(IEventStore store, JavaScriptEncoder encoder, Func<ReadOnlyMemory<byte>, Task> write)
    {
        long count = 0;
        var chunk = new ArrayBufferWriter<byte>(ChunkBytes + 4096);
        await using var snapshot = await store.OpenSnapshotAsync(CancellationToken.None);
        await using var json = new Utf8JsonWriter(chunk, new JsonWriterOptions { Encoder = encoder });
        await foreach (var e in snapshot.ReadHistory(0, CancellationToken.None))
        {
            EventJson.Write(json, e);
            json.Flush();
            chunk.Write("\n"u8);
            json.Reset();
            count++;
            if (chunk.WrittenCount >= ChunkBytes)
            {
                await write(chunk.WrittenMemory);
                chunk.ResetWrittenCount();
            }
        }
        await write(chunk.WrittenMemory);
        return count;
    }

    /// <summary>
    /// Text is written as it is where the writer's encoding holds every character (UTF-8, as the
    /// usual console); a console set to a narrower charset (ISO-8859-1, say) gets non-ASCII
    /// characters as JSON escapes instead, which import reads back unchanged, rather than as '?'.
    /// </summary>
    private static JavaScriptEncoder EncoderFor(TextWriter destination) =>
        destination.Encoding.CodePage is 65001 or 1200 or 1201 or 12000 or 12001
            ? EventJson.Encoder
            : JavaScriptEncoder.Default;

    private static async Task<int> ImportAsync(CliContext cli)
    {
        var options = cli.LoadOptions();
        var file = cli.Args[0];
        if (!File.Exists(file))
            throw new CommandFailedException($"{file}: no such file");
        var problems = ReadEvents(file, options.Limits).Where(r => r.Problem is not null).Take(MaxReportedProblems + 1).ToList();
        if (problems.Count > 0)
        {
            var shown = string.Join("; ", problems.Take(MaxReportedProblems).Select(p => $"line {p.Line}: {p.Problem}"));
            throw new CommandFailedException($"{file}: nothing imported, bad lines: {shown}{(problems.Count > MaxReportedProblems ? "; …" : "")}");
        }

        await using var store = await cli.OpenStoreAsync(options, create: true);
        long imported = 0, present = 0;
        var conflicts = new List<string>();
        foreach (var batch in ReadEvents(file, options.Limits).Select(r => r.Event!).Chunk(ImportBatch))
        {
            var outcomes = await store.AppendAsync(batch, CancellationToken.None);
            for (var i = 0; i < batch.Length; i++)
            {
                switch (outcomes[i].Status)
                {
                    case AppendStatus.Accepted: imported++; break;
                    case AppendStatus.Duplicate: present++; break;
                    default: conflicts.Add(batch[i].Uuid); break;
                }
            }
        }
        cli.Out.WriteLine($"imported {imported} new events, {present} already present, {conflicts.Count} conflicting");
        if (conflicts.Count == 0)
            return CliApp.Ok;
        cli.Error.WriteLine($"simple-sync import: these uuids are present with different content and were not imported: {string.Join(", ", conflicts.Take(MaxReportedProblems))}{(conflicts.Count > MaxReportedProblems ? ", …" : "")}");
        return CliApp.Failed;
    }

    private static IEnumerable<(long Line, Event? Event, string? Problem)> ReadEvents(string file, LimitsSection limits)
    {
        long number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            yield return ReadLine(number, Encoding.UTF8.GetBytes(line), limits.MaxPayloadBytes);
        }
    }

    private static (long, Event?, string?) ReadLine(long number, byte[] bytes, int maxPayloadBytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            var parsed = EventJson.ReadOne(ref reader, maxPayloadBytes);
            if (reader.Read())
                return (number, null, "more than one JSON value on the line");
            return (number, parsed.Event, parsed.Rejection?.Detail);
        }
        catch (JsonException ex)
        {
            return (number, null, $"not valid JSON ({ex.Message})");
        }
    }
}
