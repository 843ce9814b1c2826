using System.Diagnostics;
using SimpleSync.LoadGen.Stores;

namespace SimpleSync.LoadGen.Peer;

/// <summary>
/// A client of the peer that syncs as a CouchDB client does: it pushes with
/// <c>POST /{db}/_bulk_docs</c> and pulls with <c>GET /{db}/_changes?since=…&amp;include_docs=true</c>,
/// remembering the <c>last_seq</c> of the previous answer as its cursor. The whole history in one
/// answer, the counterpart of <c>GET /events</c>, is <c>_all_docs?include_docs=true</c>.
/// </summary>
internal sealed class PeerClient(PeerServer server, string userUuid) : IBenchClient
{
    // One per stored document in a _bulk_docs answer, and one per document in a changes or
    // all_docs answer: the documents' own fields are inside "doc" and cannot hold these bytes
    // unescaped (the payload is a JSON string, so its quotes are escaped).
    private static readonly byte[] Stored = "\"ok\":true"u8.ToArray();
    private static readonly byte[] Document = "\"doc\":{"u8.ToArray();
    private static readonly byte[] LastSeq = "\"last_seq\":"u8.ToArray();

    /// <summary>The most a changes answer carries when the client pulls back after a push, as simple-sync's default page.</summary>
    private const int PullBackLimit = 10_000;

    private const string Db = "/" + PeerServer.DatabaseName;

    public string UserUuid => userUuid;

    public PushBody NewBody(int count, int seed) => PushBody.CreateDocs(userUuid, count, seed);

    public async Task<PushAnswer> PushAsync(PushBody body, long? cursor, ResponseBuffer answer, CancellationToken ct)
    {
        await server.Http.PostAsync($"{Db}/_bulk_docs", body.Bytes, answer, ct);
        var stored = answer.Count(Stored);
        if (cursor is not { } since)
            return new PushAnswer(stored, null, Stopwatch.GetTimestamp());
        // CouchDB has no push that answers with news: its clients ask _changes right after.
        await server.Http.GetAsync(null, new Uri($"{Db}/_changes?since={since}&limit={PullBackLimit}&include_docs=true", UriKind.Relative), answer, ct);
        var answeredAt = Stopwatch.GetTimestamp();
        return new PushAnswer(stored, answer.NumberAfterLast(LastSeq), answeredAt);
    }

    public int CountReturned(ResponseBuffer answer) => answer.Count(Document);

    public async Task<(int Events, long Cursor)> PullAsync(long cursor, ResponseBuffer answer, CancellationToken ct)
    {
        await server.Http.GetAsync(null, new Uri($"{Db}/_changes?since={cursor}&include_docs=true", UriKind.Relative), answer, ct);
        return (answer.Count(Document), answer.NumberAfterLast(LastSeq));
    }

    public async Task<PulledPage> PullPageAsync(long cursor, int limit, byte[] buffer, CancellationToken ct)
    {
        using var response = await server.Http.OpenAsync(null, $"{Db}/_changes?since={cursor}&limit={limit}&include_docs=true", ct);
        var body = await StreamedBodyReader.ReadAsync(response, buffer, Document, ct);
        // last_seq ends the answer. CouchDB says nothing like "more": a full page means ask again.
        var tail = body.Tail.AsSpan();
        var at = tail.LastIndexOf(LastSeq);
        if (at < 0 || !System.Buffers.Text.Utf8Parser.TryParse(tail[(at + LastSeq.Length)..], out long next, out _))
            throw new BenchException($"a _changes answer without last_seq: …{System.Text.Encoding.UTF8.GetString(tail)}");
        return new PulledPage(body, next, body.Events == limit);
    }

    public async Task<StreamedBody> PullAllAsync(byte[] buffer, CancellationToken ct)
    {
        using var response = await server.Http.OpenAsync(null, $"{Db}/_all_docs?include_docs=true", ct);
        return await StreamedBodyReader.ReadAsync(response, buffer, Document, ct);
    }

    /// <summary>CouchDB's welcome: <c>GET /</c>, a few bytes of JSON about the server.</summary>
    public Task PingAsync(ResponseBuffer answer, CancellationToken ct) =>
        server.Http.GetAsync(null, new Uri("/", UriKind.Relative), answer, ct);

    public async Task WarmUpReadsAsync(CancellationToken ct)
    {
        var warm = new ResponseBuffer();
        await server.Http.GetAsync(null, new Uri($"{Db}/_changes?since=0&limit=100&include_docs=true", UriKind.Relative), warm, ct);
        await server.Http.GetAsync(null, new Uri($"{Db}/_all_docs?include_docs=true&limit=100", UriKind.Relative), warm, ct);
    }

    /// <summary>
    /// <c>_changes?feed=continuous</c> from seq 0. The peer sends its headers with the first line,
    /// so the request is left running: a heartbeat a second (an empty line) answers it soon, which
    /// is when the scenario counts the feed as open.
    /// </summary>
    public Task<LiveFeed> OpenLiveFeedAsync(CancellationToken ct) => Task.FromResult(new LiveFeed(
        server.Http.OpenAsync(null, $"{Db}/_changes?feed=continuous&since=0&include_docs=true&heartbeat=1000", ct),
        LiveFeedFormat.CouchContinuous));

    /// <summary>The peer is one server.</summary>
    public IBenchClient OnServer(int index) => this;
}
