using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Sync;

public sealed class SyncFollowTests
{
    private const int Writers = 8;
    private const int BatchesPerWriter = 40;
    private const int EventsPerBatch = 3;

    [Fact]
    public async Task A_reader_following_the_cursor_in_pages_sees_every_event_exactly_once_while_8_writers_push()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var writers = new List<(string Uuid, HttpClient Client)>();
        for (var i = 0; i < Writers; i++)
            writers.Add(await server.NewUserAsync($"writer{i}"));
        var (_, reader) = await server.NewUserAsync("reader");
        var ct = TestContext.Current.CancellationToken;

        var pushing = Task.WhenAll(writers.Select(w => Task.Run(async () =>
        {
            var mine = new List<Event>();
            for (var b = 0; b < BatchesPerWriter; b++)
            {
                var batch = Enumerable.Range(0, EventsPerBatch).Select(_ => TestEvents.New(w.Uuid)).ToArray();
                var answer = await w.Client.SyncAsync(0, batch);
                Assert.All(answer.Results!, r => Assert.Equal(PushStatuses.Accepted, r.Status));
                mine.AddRange(batch);
            }
            return mine;
        }, ct)));

        var seen = new List<Event>();
        long cursor = 0;
        while (true)
        {
            var done = pushing.IsCompleted;
            var (page, next) = await reader.PullAllAsync(cursor, limit: 7);
            seen.AddRange(page);
            cursor = next;
            if (done)
                break;
        }
        var pushed = (await pushing).SelectMany(e => e).ToList();

        Assert.Equal(Writers * BatchesPerWriter * EventsPerBatch, seen.Count);
        Assert.Equal(seen.Count, seen.Select(e => e.Uuid).Distinct().Count());
        Assert.Equal(pushed.Select(e => e.Uuid).Order(), seen.Select(e => e.Uuid).Order());
        // What the follower saw piecemeal is exactly the seq order a fresh reader gets in one go.
        Assert.Equal(seen, (await reader.PullAllAsync(0, limit: 10_000)).Events);
        Assert.Equal(seen.Count, cursor);
    }
}
