using System.Diagnostics;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// A new device's first sync: seed a history through the API in 10,000-event pushes, restart the
/// server so that its memory holds nothing from seeding, then pull everything, once as
/// <c>GET /sync</c> pages of 10,000 from cursor 0 and once as one <c>GET /events</c>. Times are
/// the best of the repeats; the memory rise (peak RSS during a pull minus RSS just before it)
/// is the worst. With two servers, the two seeding clients use one each and the reader the first;
/// on PostgreSQL the seeded table is analysed before the restart, as autovacuum would soon do.
/// On the peer the pages are <c>_changes?since=…&amp;limit=10000&amp;include_docs=true</c> until
/// a page is not full, and the one answer is <c>_all_docs?include_docs=true</c>.
/// </summary>
internal static class PullScenario
{
    private const int Page = 10_000;
    private const int SeedBatch = 10_000;

    /// <param name="timeTarget">Seconds the whole pull may take, when there is a target for this size.</param>
    public static Scenario Define(string name, int events, bool optional, double? timeTarget) => new(
        name,
        $"seed {events:N0} events, restart the server, then pull them all: GET /sync pages of {Page:N0} from cursor 0, and GET /events once",
        optional,
        ctx => RunAsync(ctx, events, timeTarget));

    private static async Task<ScenarioResult> RunAsync(ScenarioContext ctx, int events, double? timeTarget)
    {
        var ct = ctx.Cancellation;
        await using var server = await ctx.StartTargetAsync();
        var users = await server.CreateClientsAsync("seeder", 2, ct);
        ctx.Log($"seeding {events:N0} events");
        var seedRate = await SeedAsync(users, events, ct);
        await server.SettleAsync(ct);
        await server.RestartAsync(ct);
        var reader = users[0];
        // A few small requests first, so the first measured pull does not include the JIT compiling the paths.
        await reader.WarmUpReadsAsync(ct);

        var repeats = ctx.Options.Quick ? 1 : 3;
        var cpu = server.CpuMeter();
        var before = ProcFs.StatusKb(server.Pids, "VmRSS") / 1024.0;
        var (sync, history) = await PullRepeatedlyAsync(ctx, server, reader, events, repeats);
        var cpuSplit = cpu.Stop();
        var memory = new MemorySample(before, sync.Concat(history).Max(p => p.Memory.PeakMb), ProcFs.StatusKb(server.Pids, "VmRSS") / 1024.0);
        List<Figure> figures =
        [
            .. Figures("GET /sync pages", sync, timeTarget),
            .. Figures("GET /events", history, timeTarget),
            new("seeding, 10,000-event pushes × 2 clients", seedRate, "events/s"),
        ];
        if (reader is SimpleSyncClient { } sdkUser && server is BenchServer bench)
        {
            ctx.Log("a first sync through the .NET SDK");
            figures.AddRange(await SdkFirstSync.MeasureAsync(bench.Http.BaseAddress, sdkUser.User.Username, events, sync[0].Bytes, ct));
        }
        var mb = sync[0].Bytes / 1024.0 / 1024;
        return ctx.Result(server, figures, cpuSplit, memory, [$"{events:N0} events, {mb:0.0} MB of JSON a pull; {repeats} pulls of each kind"]);
    }

    private static async Task<(List<Pull> Sync, List<Pull> History)> PullRepeatedlyAsync(ScenarioContext ctx, IBenchTarget server,
        IBenchClient reader, int events, int repeats)
    {
        var buffer = new byte[256 * 1024];
        var sync = new List<Pull>();
        var history = new List<Pull>();
        for (var i = 0; i < repeats; i++)
        {
            ctx.Log($"pull {i + 1} of {repeats}");
            sync.Add(await MeasureAsync(server, () => PullPagesAsync(reader, buffer, ctx.Cancellation), events));
            history.Add(await MeasureAsync(server, () => PullHistoryAsync(reader, buffer, ctx.Cancellation), events));
        }
        return (sync, history);
    }

    /// <summary>Times are the best of the repeats; the memory rise is the worst.</summary>
    private static IEnumerable<Figure> Figures(string what, List<Pull> pulls, double? timeTarget)
    {
        yield return new($"{what}: whole history", pulls.Min(p => p.Seconds), "s", timeTarget is { } limit ? Target.Max(limit) : null);
        yield return new($"{what}: time to first byte", pulls.Min(p => p.FirstByteMs), "ms", Target.Max(50));
        yield return new($"{what}: server memory rise", pulls.Max(p => p.Memory.RiseMb), "MB", Target.Max(30));
    }

    private sealed record Pull(double Seconds, double FirstByteMs, long Bytes, MemorySample Memory);

    private static async Task<Pull> MeasureAsync(IBenchTarget server, Func<Task<(StreamedBody First, long Events, long Bytes, long Started)>> pull, int expected)
    {
        var memory = server.MemoryMeter();
        var (first, events, bytes, started) = await pull();
        var done = Stopwatch.GetTimestamp();
        var sample = await memory.StopAsync();
        if (events != expected)
            throw new BenchException($"a pull returned {events} events where {expected} were stored");
        return new Pull(Stopwatch.GetElapsedTime(started, done).TotalSeconds, Latencies.ToMs(first.FirstByteAt - started), bytes, sample);
    }

    /// <summary>GET /sync from cursor 0, page after page, until <c>more</c> is false (on the peer: until a page is not full).</summary>
    private static async Task<(StreamedBody, long, long, long)> PullPagesAsync(IBenchClient reader, byte[] buffer, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        StreamedBody? first = null;
        long cursor = 0, events = 0, bytes = 0;
        while (true)
        {
            var page = await reader.PullPageAsync(cursor, Page, buffer, ct);
            first ??= page.Body;
            events += page.Body.Events;
            bytes += page.Body.Bytes;
            cursor = page.Cursor;
            if (!page.More)
                return (first, events, bytes, started);
        }
    }

    /// <summary>GET /events: the whole history in one answer.</summary>
    private static async Task<(StreamedBody, long, long, long)> PullHistoryAsync(IBenchClient reader, byte[] buffer, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var body = await reader.PullAllAsync(buffer, ct);
        return (body, body.Events, body.Bytes, started);
    }

    /// <summary>Pushes <paramref name="events"/> events in 10,000-event batches from two clients; returns events a second.</summary>
    private static async Task<double> SeedAsync(IBenchClient[] users, int events, CancellationToken ct)
    {
        var pushes = (events + SeedBatch - 1) / SeedBatch;
        var next = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(users.Select(async (client, i) =>
        {
            var body = client.NewBody(SeedBatch, seed: i * SeedBatch);
            var answer = new ResponseBuffer();
            while (Interlocked.Increment(ref next) <= pushes)
            {
                body.Renew();
                await client.PushAsync(body, cursor: null, answer, ct);
            }
        }));
        return pushes * SeedBatch / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
