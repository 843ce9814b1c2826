using SimpleSync.LoadGen.Scenarios;

namespace SimpleSync.LoadGen.Stores;

/// <summary>
/// The servers of one scenario run, whichever kind they are: simple-sync on one of its stores
/// (<see cref="BenchServer"/>), or the peer (<see cref="Peer.PeerServer"/>). The scenarios
/// measure through this and <see cref="IBenchClient"/> only, so each runs the same load on both.
/// </summary>
internal interface IBenchTarget : IAsyncDisposable
{
    /// <summary>The server processes, whose CPU and memory are measured.</summary>
    IReadOnlyList<int> Pids { get; }

    /// <summary>The PostgreSQL database the servers share; null on every other store.</summary>
    BenchDatabase? Database { get; }

    /// <summary>Warnings and errors the servers logged, for the report.</summary>
    IReadOnlyList<string> ServerLog { get; }

    /// <summary>From the (first) server's process start to its first answered request.</summary>
    TimeSpan FirstAnswer { get; }

    CpuMeter CpuMeter();

    MemoryMeter MemoryMeter();

    /// <summary>
    /// <paramref name="count"/> clients, each acting as a user of its own (<c>u-{prefix}-N</c>);
    /// with several servers client <c>i</c> talks to server <c>i</c> mod their number.
    /// </summary>
    Task<IBenchClient[]> CreateClientsAsync(string prefix, int count, CancellationToken ct);

    /// <summary>Stops the servers and starts them again on the same data, so their memory holds nothing from before.</summary>
    Task RestartAsync(CancellationToken ct);

    /// <summary>Gives the store what it would have in use before a read-heavy phase (statistics on PostgreSQL).</summary>
    Task SettleAsync(CancellationToken ct);

    /// <summary>Counts the commits of the push scenarios, where the store can tell them (null elsewhere).</summary>
    Task<CommitObserver?> ObserveCommitsAsync(MeasureWindow window, CancellationToken ct);
}

/// <summary>One client as a sync client of that server would behave: push, pull pages, pull everything.</summary>
internal interface IBenchClient
{
    string UserUuid { get; }

    /// <summary>A push body of <paramref name="count"/> events in this server's format (renewed before each send).</summary>
    PushBody NewBody(int count, int seed);

    /// <summary>
    /// Pushes the body. With a <paramref name="cursor"/> the client also pulls what came after it,
    /// as its sync does (one <c>POST /sync</c>; on the peer <c>_bulk_docs</c> then <c>_changes</c>),
    /// and the answer's cursor comes back; without one it only pushes.
    /// </summary>
    Task<PushAnswer> PushAsync(PushBody body, long? cursor, ResponseBuffer answer, CancellationToken ct);

    /// <summary>The events the last push's answer carried back (left to the caller: counting them costs time).</summary>
    int CountReturned(ResponseBuffer answer);

    /// <summary>The events after <paramref name="cursor"/>, into a reused buffer: the small pull of an app asking for news.</summary>
    Task<(int Events, long Cursor)> PullAsync(long cursor, ResponseBuffer answer, CancellationToken ct);

    /// <summary>One page of at most <paramref name="limit"/> events after <paramref name="cursor"/>, read as it streams.</summary>
    Task<PulledPage> PullPageAsync(long cursor, int limit, byte[] buffer, CancellationToken ct);

    /// <summary>The whole history in one answer, read as it streams.</summary>
    Task<StreamedBody> PullAllAsync(byte[] buffer, CancellationToken ct);

    /// <summary>
    /// The cheapest request the server answers: no token, no storage, a small body from memory.
    /// Its CPU is the floor under every other figure of CPU per request: what the HTTP stack, the
    /// runtime and the machine take for one request, whatever the request does.
    /// </summary>
    Task PingAsync(ResponseBuffer answer, CancellationToken ct);

    /// <summary>A few small reads, so that a measured pull does not include compiling the read paths.</summary>
    Task WarmUpReadsAsync(CancellationToken ct);

    /// <summary>
    /// Opens the server's live feed from the start of the history. It returns once the request is
    /// under way; the feed's response may come later (the peer sends its headers with the first line).
    /// </summary>
    Task<LiveFeed> OpenLiveFeedAsync(CancellationToken ct);

    /// <summary>The same user on server <paramref name="server"/> (mod the number of servers).</summary>
    IBenchClient OnServer(int server);
}

/// <summary>What a push achieved: events stored, the cursor the answer carried (null when only pushing) and when it ended.</summary>
internal readonly record struct PushAnswer(int Accepted, long? Cursor, long AnsweredAt);

/// <summary>
/// An open live feed: the response (still coming, for the peer) and how its messages are told
/// apart. Disposing ends it.
/// </summary>
internal sealed class LiveFeed(Task<HttpResponseMessage> response, LiveFeedFormat format) : IDisposable
{
    public Task<HttpResponseMessage> Response => response;

    public LiveFeedFormat Format => format;

    public void Dispose()
    {
        if (response.IsCompletedSuccessfully)
            response.Result.Dispose();
    }
}

/// <param name="Delimiter">What ends a message.</param>
/// <param name="EventMarker">What precedes the uuid of each event a message carries, once each.</param>
/// <param name="TypedMessages">Whether only messages of type <c>events</c> carry events (an event stream), or every message does.</param>
internal sealed record LiveFeedFormat(byte[] Delimiter, byte[] EventMarker, bool TypedMessages)
{
    /// <summary>simple-sync's <c>/sync/stream</c>: Server-Sent Events, one message per committed batch.</summary>
    public static LiveFeedFormat ServerSentEvents { get; } = new("\n\n"u8.ToArray(), "{\"uuid\":\""u8.ToArray(), true);

    /// <summary>CouchDB's <c>_changes?feed=continuous</c>: one change a line, empty lines as heartbeats.</summary>
    public static LiveFeedFormat CouchContinuous { get; } = new("\n"u8.ToArray(), "\"id\":\""u8.ToArray(), false);

    public bool CarriesEvents(ReadOnlySpan<byte> message) => TypedMessages ? SseReader.IsEvents(message) : !message.IsEmpty;
}

/// <summary>One page of a paged pull: the body read, the cursor to ask from next, and whether there may be more.</summary>
internal sealed record PulledPage(StreamedBody Body, long Cursor, bool More);
