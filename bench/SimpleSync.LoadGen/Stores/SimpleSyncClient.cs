using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SimpleSync.LoadGen.Stores;

/// <summary>A user of simple-sync with its token, syncing through <c>/sync</c> as the SDKs do, and reading <c>/events</c>.</summary>
internal sealed class SimpleSyncClient(BenchServer server, int serverIndex, BenchUser user) : IBenchClient
{
    private static readonly byte[] Accepted = "\"status\":\"accepted\""u8.ToArray();

    private BenchHttp Http => server.HttpOf(serverIndex);

    public string UserUuid => user.Uuid;

    /// <summary>The user this client acts as, for a real SDK client logging in as them.</summary>
    public BenchUser User => user;

    public PushBody NewBody(int count, int seed) => PushBody.Create(user.Uuid, count, seed);

    public async Task<PushAnswer> PushAsync(PushBody body, long? cursor, ResponseBuffer answer, CancellationToken ct)
    {
        body.SetCursor(cursor ?? PushBody.PastTheHead);
        await Http.PushAsync(user.Token, body, answer, ct);
        var answeredAt = Stopwatch.GetTimestamp();
        return new PushAnswer(answer.CountStatus(Accepted), cursor is null ? null : answer.Cursor(), answeredAt);
    }

    public int CountReturned(ResponseBuffer answer) => answer.CountEvents();

    public async Task<(int Events, long Cursor)> PullAsync(long cursor, ResponseBuffer answer, CancellationToken ct)
    {
        await Http.GetAsync(user.Token, new Uri($"/sync?cursor={cursor}", UriKind.Relative), answer, ct);
        return (answer.CountEvents(), answer.Cursor());
    }

    public async Task<PulledPage> PullPageAsync(long cursor, int limit, byte[] buffer, CancellationToken ct)
    {
        using var response = await Http.OpenAsync(user.Token, $"/sync?cursor={cursor}&limit={limit}", ct);
        var body = await StreamedBodyReader.ReadAsync(response, buffer, ct);
        // cursor and more come last in a sync answer, so the tail the reader kept holds them.
        var tail = Encoding.ASCII.GetString(body.Tail);
        var at = tail.LastIndexOf("\"cursor\":", StringComparison.Ordinal);
        var next = long.Parse(tail[(at + 9)..tail.IndexOf(',', at)], CultureInfo.InvariantCulture);
        return new PulledPage(body, next, tail.Contains("\"more\":true", StringComparison.Ordinal));
    }

    public async Task<StreamedBody> PullAllAsync(byte[] buffer, CancellationToken ct)
    {
        using var response = await Http.OpenAsync(user.Token, "/events", ct);
        return await StreamedBodyReader.ReadAsync(response, buffer, ct);
    }

    /// <summary>One of the web console's files, which the server keeps in memory.</summary>
    public Task PingAsync(ResponseBuffer answer, CancellationToken ct) =>
        Http.GetAsync(null, new Uri("/console/icon.svg", UriKind.Relative), answer, ct);

    public async Task WarmUpReadsAsync(CancellationToken ct)
    {
        var warm = new ResponseBuffer();
        await Http.GetAsync(user.Token, new Uri("/sync?cursor=0&limit=100", UriKind.Relative), warm, ct);
        await Http.GetAsync(user.Token, new Uri($"/events?fromTimestamp={ulong.MaxValue}", UriKind.Relative), warm, ct);
    }

    public async Task<LiveFeed> OpenLiveFeedAsync(CancellationToken ct) =>
        new(Task.FromResult(await Http.OpenAsync(user.Token, "/sync/stream?cursor=0", ct)), LiveFeedFormat.ServerSentEvents);

    public IBenchClient OnServer(int index) => new SimpleSyncClient(server, index, user);
}
