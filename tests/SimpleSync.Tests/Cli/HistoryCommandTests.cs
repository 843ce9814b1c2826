using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>export and import: the seed's JSON Lines history format.</summary>
public sealed class HistoryCommandTests
{
    /// <summary>A history that tests the order: timestamp ties broken by uuid as ordinal text, timestamps beyond 2^63, awkward payloads.</summary>
    private static List<Event> SampleHistory()
    {
        var events = new List<Event>
        {
            new("bbbbbbbb-0000-7000-8000-000000000000", 200, "user-a", "task-1", "create", "{\"title\":\"b\"}"),
            new("AAAAAAAA-0000-7000-8000-000000000000", 200, "user-a", "task-1", "rename", "upper case sorts first"),
            new("aaaaaaa1-0000-7000-8000-000000000000", 200, "user-b", "task-2", "create", "line one\nline two"),
            new("cccccccc-0000-7000-8000-000000000000", ulong.MaxValue, "user-b", "task-2", "close", "grüße, 日本, 🙂"),
            new("dddddddd-0000-7000-8000-000000000000", 1UL << 63, "user-a", "task-3", "create", ""),
            new("eeeeeeee-0000-7000-8000-000000000000", 0, "user-a", "task-3", "create", "\"quoted\" \\ \u2028"),
        };
        events.AddRange(Enumerable.Range(0, 40).Select(i =>
            new Event(Guid.CreateVersion7().ToString(), (ulong)(1_700_000_000_000 + i % 7), "user-c", $"item-{i}", "tick", $"{{\"n\":{i}}}")));
        return events;
    }

    private static async Task<string> ExportAsync(CliWorkspace workspace)
    {
        var result = await workspace.RunAsync("export");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);
        return result.Stdout;
    }

    [Fact]
    public async Task Export_writes_json_lines_in_timestamp_then_uuid_order_to_stdout_and_to_a_file()
    {
        using var workspace = new CliWorkspace();
        var history = SampleHistory();
        var shuffled = history.OrderBy(_ => Random.Shared.Next()).ToList();
        await workspace.RunOkAsync(["import", workspace.Write("in.jsonl", TestEvents.JsonLines(shuffled))]);

        var stdout = await ExportAsync(workspace);
        Directory.CreateDirectory(workspace.File("out"));
        var toFile = await workspace.RunAsync("export", "--out", "out/history.jsonl");

        Assert.Equal(ExportLines.HistoryOrder(history), ExportLines.Parse(stdout));
        Assert.Equal(history.Count, stdout.Count(c => c == '\n'));
        Assert.True(toFile.ExitCode == 0, toFile.ToString());
        Assert.Equal(stdout, await File.ReadAllTextAsync(workspace.File("out/history.jsonl"), TestContext.Current.CancellationToken));
        Assert.Equal(["out/history.jsonl"], Directory.GetFiles(workspace.File("out")).Select(f => Path.GetRelativePath(workspace.Path, f)));
    }

    [Fact]
    public async Task Import_of_an_export_into_a_fresh_store_reproduces_the_history_and_a_second_import_adds_nothing()
    {
        using var source = new CliWorkspace();
        using var target = new CliWorkspace();
        var history = SampleHistory();
        await source.RunOkAsync(["import", source.Write("in.jsonl", TestEvents.JsonLines(history))]);
        var exported = await ExportAsync(source);
        var file = target.Write("history.jsonl", exported);

        var first = await target.RunAsync("import", file);
        var second = await target.RunAsync("import", file);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal([$"imported {history.Count} new events, 0 already present, 0 conflicting"], first.StdoutLines);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal([$"imported 0 new events, {history.Count} already present, 0 conflicting"], second.StdoutLines);
        Assert.Equal(exported, await ExportAsync(target));
    }

    [Fact]
    public async Task Import_of_a_file_with_bad_lines_imports_nothing_and_names_the_lines()
    {
        using var workspace = new CliWorkspace();
        var stored = SampleHistory()[^1];
        await workspace.RunOkAsync(["import", workspace.Write("first.jsonl", TestEvents.JsonLines([stored]))]);
        var good = SampleHistory().Take(3).ToList();
        var lines = TestEvents.JsonLines(good).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        lines.Insert(2, """{"uuid": "ffffffff-0000-7000-8000-000000000000", "timestamp": 1}""");
        lines.Insert(4, "this is not json");
        var file = workspace.Write("bad.jsonl", string.Join('\n', lines) + "\n");

        var result = await workspace.RunAsync("import", file);

        Assert.Equal(1, result.ExitCode);
        var line = result.SingleErrorLine;
        Assert.Contains(file, line);
        Assert.Contains("line 3", line);
        Assert.Contains("line 5", line);
        Assert.DoesNotContain("line 1:", line);
        Assert.Equal([stored], ExportLines.Parse(await ExportAsync(workspace)));
    }

    [Fact]
    public async Task Import_reports_a_uuid_present_with_other_content_and_exits_1()
    {
        using var workspace = new CliWorkspace();
        var stored = SampleHistory()[0];
        await workspace.RunOkAsync(["import", workspace.Write("first.jsonl", TestEvents.JsonLines([stored]))]);
        var changed = stored with { Payload = "something else" };
        var fresh = SampleHistory()[1];

        var result = await workspace.RunAsync("import", workspace.Write("second.jsonl", TestEvents.JsonLines([changed, fresh])));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["imported 1 new events, 0 already present, 1 conflicting"], result.StdoutLines);
        Assert.Contains(stored.Uuid, result.SingleErrorLine);
        Assert.Equal(ExportLines.HistoryOrder([stored, fresh]), ExportLines.Parse(await ExportAsync(workspace)));
    }

    [Fact]
    public async Task Import_of_a_missing_file_exits_1_with_one_line()
    {
        using var workspace = new CliWorkspace();

        var result = await workspace.RunAsync("import", "no-such.jsonl");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-such.jsonl", result.SingleErrorLine);
    }
}
