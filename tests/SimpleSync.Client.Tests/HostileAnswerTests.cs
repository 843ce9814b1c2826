using SimpleSync.Client.Tests.Support;
using static SimpleSync.Client.Tests.Support.HostileServer;

namespace SimpleSync.Client.Tests;

/// <summary>
/// Whatever a server or a proxy answers, the SDK raises <see cref="SyncException"/> with
/// <see cref="ClientErrorCodes.BadResponse"/>: never another exception, never a crash of the
/// app, never a loop, and nothing of the answer stored.
/// </summary>
public sealed class HostileAnswerTests : IClassFixture<HostileServer>, IDisposable
{
    private const string Accepted = """[{"uuid":"{uuid}","status":"accepted"}]""";
    private const int SmallCap = 64 * 1024;
    private static readonly string Oversized = $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[],"padding":"{{new string('x', SmallCap)}}"}""";

    private static readonly Dictionary<string, HostileCase> Cases = new()
    {
        ["login-not-json"] = new(HostileTarget.Login, "<html>sign in to the wifi</html>"),
        ["login-token-null"] = new(HostileTarget.Login, """{"token":null}"""),
        ["login-token-empty"] = new(HostileTarget.Login, """{"token":""}"""),
        ["login-token-with-a-line-break"] = new(HostileTarget.Login, """{"token":"eyJ.eyJ\r\nX-Injected: 1"}"""),
        ["login-token-without-sub"] = new(HostileTarget.Login, $$"""{"token":"{{Token("""{"name":"alice"}""")}}"}"""),
        ["login-token-sub-with-a-control-character"] = new(HostileTarget.Login, $$"""{"token":"{{Token("""{"sub":"u\u0001"}""")}}"}"""),
        ["login-text-html"] = new(HostileTarget.Login, $$"""{"token":"{{Token("""{"sub":"u-1"}""")}}"}""", "text/html"),

        ["push-not-json"] = new(HostileTarget.Push, "not json"),
        ["push-json-null"] = new(HostileTarget.Push, "null"),
        ["push-an-array"] = new(HostileTarget.Push, "[]"),
        ["push-no-epoch"] = new(HostileTarget.Push, $$"""{"cursor":1,"more":false,"events":[{{ValidEvent}}],"results":{{Accepted}}}"""),
        ["push-epoch-null"] = new(HostileTarget.Push, $$"""{"epoch":null,"cursor":0,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-epoch-empty"] = new(HostileTarget.Push, $$"""{"epoch":"","cursor":0,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-epoch-lone-surrogate"] = new(HostileTarget.Push, $$"""{"epoch":"\ud800","cursor":0,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-cursor-negative"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":-1,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-cursor-overflowing"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":99999999999999999999,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-cursor-a-string"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":"5","more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-cursor-a-fraction"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":1.5,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-events-null"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":null,"results":{{Accepted}}}"""),
        ["push-events-holding-null"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":1,"more":false,"events":[null],"results":{{Accepted}}}"""),
        ["push-event-missing-a-field"] = new(HostileTarget.Push, Pushed("""{"uuid":"0193a5c0-0000-7000-8000-00000000000a","timestamp":1,"userUuid":"u","itemUuid":"i","action":"a"}""")),
        ["push-event-uuid-not-a-uuid"] = new(HostileTarget.Push, Pushed(ValidEvent.Replace("0193a5c0-0000-7000-8000-00000000000a", "not-a-uuid", StringComparison.Ordinal))),
        ["push-event-timestamp-negative"] = new(HostileTarget.Push, Pushed(ValidEvent.Replace("\"timestamp\":1", "\"timestamp\":-1", StringComparison.Ordinal))),
        ["push-event-item-empty"] = new(HostileTarget.Push, Pushed(ValidEvent.Replace("\"task-1\"", "\"\"", StringComparison.Ordinal))),
        ["push-event-unknown-field"] = new(HostileTarget.Push, Pushed(ValidEvent.Replace("\"payload\"", "\"seq\":1,\"payload\"", StringComparison.Ordinal))),
        ["push-event-payload-lone-surrogate"] = new(HostileTarget.Push, Pushed(ValidEvent.Replace("\"{}\"", "\"\\udc00\"", StringComparison.Ordinal))),
        ["push-more-events-than-seqs"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":1,"more":false,"events":[{{ValidEvent}},{{ValidEvent.Replace("0a\"", "0b\"", StringComparison.Ordinal)}}],"results":{{Accepted}}}"""),
        ["push-no-results"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[]}"""),
        ["push-too-few-results"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[]}"""),
        ["push-result-null"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[null]}"""),
        ["push-result-for-another-event"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[{"uuid":"0193a5c0-0000-7000-8000-0000000000ff","status":"accepted"}]}"""),
        ["push-result-unknown-status"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[{"uuid":"{uuid}","status":"maybe"}]}"""),
        ["push-result-rejected-without-reason"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":[{"uuid":"{uuid}","status":"rejected"}]}"""),
        ["push-a-member-twice"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"cursor":0,"more":false,"events":[],"results":{{Accepted}}}"""),
        ["push-trailing-data"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}} and more"""),
        ["push-text-html"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}}""", "text/html"),
        ["push-no-content-type"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}}""", null),
        ["push-over-the-cap-with-length"] = new(HostileTarget.Push, Oversized, Options: new SyncClientOptions { MaxResponseBytes = SmallCap }),
        ["push-over-the-cap-chunked"] = new(HostileTarget.Push, Oversized, Chunked: true, Options: new SyncClientOptions { MaxResponseBytes = SmallCap }),

        ["push-gzip-not-decoding"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}}""",
            ContentEncoding: "gzip", Compress: false),
        ["push-br-not-decoding"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}}""",
            ContentEncoding: "br", Compress: false),
        ["push-encoding-not-asked-for"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}}""",
            ContentEncoding: "compress", Compress: false),
        ["push-two-encodings"] = new(HostileTarget.Push, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[],"results":{{Accepted}}}""",
            ContentEncoding: "gzip, gzip"),
        ["push-gzip-over-the-cap-when-decoded"] = new(HostileTarget.Push, Oversized, ContentEncoding: "gzip",
            Options: new SyncClientOptions { MaxResponseBytes = SmallCap }),
        ["push-br-over-the-cap-when-decoded"] = new(HostileTarget.Push, Oversized, ContentEncoding: "br", Chunked: true,
            Options: new SyncClientOptions { MaxResponseBytes = SmallCap }),

        ["pull-more-without-events"] = new(HostileTarget.Pull, $$"""{"epoch":"{{Epoch}}","cursor":1,"more":true,"events":[]}"""),
        ["pull-cursor-going-back"] = new(HostileTarget.Pull, $$"""{"epoch":"{{Epoch}}","cursor":0,"more":false,"events":[]}"""),
        ["pull-with-results"] = new(HostileTarget.Pull, $$"""{"epoch":"{{Epoch}}","cursor":1,"more":false,"events":[],"results":[]}"""),

        ["stream-id-overflowing"] = new(HostileTarget.Stream, Message("99999999999999999999", $"[{ValidEvent}]"), "text/event-stream"),
        ["stream-id-negative"] = new(HostileTarget.Stream, Message("-5", $"[{ValidEvent}]"), "text/event-stream"),
        ["stream-id-missing"] = new(HostileTarget.Stream, $"event: events\ndata: [{ValidEvent}]\n\n", "text/event-stream"),
        ["stream-id-not-a-number"] = new(HostileTarget.Stream, Message("abc", $"[{ValidEvent}]"), "text/event-stream"),
        ["stream-id-not-advancing"] = new(HostileTarget.Stream, Message("0", $"[{ValidEvent}]"), "text/event-stream"),
        ["stream-more-events-than-seqs"] = new(HostileTarget.Stream,
            Message("1", $"[{ValidEvent},{ValidEvent.Replace("0a\"", "0b\"", StringComparison.Ordinal)}]"), "text/event-stream"),
        ["stream-data-not-json"] = new(HostileTarget.Stream, Message("1", "[{"), "text/event-stream"),
        ["stream-data-null"] = new(HostileTarget.Stream, Message("1", "null"), "text/event-stream"),
        ["stream-data-holding-null"] = new(HostileTarget.Stream, Message("1", "[null]"), "text/event-stream"),
        ["stream-data-empty"] = new(HostileTarget.Stream, Message("1", "[]"), "text/event-stream"),
        ["stream-data-invalid-event"] = new(HostileTarget.Stream,
            Message("1", $"[{ValidEvent.Replace("\"u-other\"", "\"\"", StringComparison.Ordinal)}]"), "text/event-stream"),
        ["stream-hello-without-epoch"] = new(HostileTarget.Stream, "event: hello\ndata: {\"cursor\":0}\n\n", "text/event-stream"),
        ["stream-hello-null"] = new(HostileTarget.Stream, "event: hello\ndata: null\n\n", "text/event-stream"),
        ["stream-application-json"] = new(HostileTarget.Stream, Message("1", $"[{ValidEvent}]"), "application/json"),
        ["stream-message-over-the-cap"] = new(HostileTarget.Stream, $"id: 1\nevent: events\ndata: {new string('x', SmallCap + 1)}",
            "text/event-stream", Options: new SyncClientOptions { MaxStreamMessageBytes = SmallCap }),
        ["stream-lines-without-a-blank-one"] = new(HostileTarget.Stream, string.Concat(Enumerable.Repeat("data: x\r\n", SmallCap / 4)),
            "text/event-stream", Options: new SyncClientOptions { MaxStreamMessageBytes = SmallCap }),
    };

    private readonly HostileServer _server;
    private readonly List<HttpClient> _http = [];

    public HostileAnswerTests(HostileServer server)
    {
        _server = server;
        foreach (var (name, hostile) in Cases)
            _server.Cases.TryAdd(name, hostile);
    }

    public static TheoryData<string> CaseNames(HostileTarget target) => [.. Cases.Where(c => c.Value.Target == target).Select(c => c.Key)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(CaseNames), HostileTarget.Login)]
    public async Task A_malformed_login_answer_is_a_bad_response_and_stores_no_login(string name)
    {
        using var client = NewClient(name);

        var failure = await Assert.ThrowsAsync<SyncException>(() => client.LoginAsync("alice", "password", Ct));

        Assert.Equal(ClientErrorCodes.BadResponse, failure.Code);
        Assert.False(failure.IsTransient);
        Assert.Null(client.UserUuid());
    }

    [Theory]
    [MemberData(nameof(CaseNames), HostileTarget.Push)]
    [MemberData(nameof(CaseNames), HostileTarget.Pull)]
    public async Task A_malformed_sync_answer_is_a_bad_response_and_nothing_of_it_is_applied(string name)
    {
        using var client = NewClient(name);
        await client.LoginAsync("alice", "password", Ct);
        var pending = Cases[name].Target == HostileTarget.Push ? [client.Record("task-1", "create", "{}")] : Array.Empty<Protocol.Event>();

        var failure = await Assert.ThrowsAsync<SyncException>(() => client.SyncAsync(Ct));

        Assert.Equal(ClientErrorCodes.BadResponse, failure.Code);
        Assert.Equal(failure, client.Status().LastError);
        Assert.Equal(pending, client.PendingEvents());
        // A pull fails after a first page that was fine and stays applied; a push fails before anything.
        Assert.Equal(Cases[name].Target == HostileTarget.Pull ? 1 : pending.Length, client.Events().Count);
    }

    [Theory]
    [MemberData(nameof(CaseNames), HostileTarget.Stream)]
    public async Task A_malformed_live_message_ends_the_watch_with_a_bad_response_instead_of_crashing(string name)
    {
        using var client = NewClient(name);
        await client.LoginAsync("alice", "password", Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // The bound only keeps a watch that ignored the message from hanging the run.
        var failure = await Assert.ThrowsAsync<SyncException>(() => client.WatchAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(30), Ct));
        await stop.CancelAsync();

        Assert.Equal(ClientErrorCodes.BadResponse, failure.Code);
        Assert.Equal(failure, client.Status().LastError);
        Assert.False(client.Status().IsWatching);
        Assert.Empty(client.Events());
    }

    [Fact]
    public async Task A_stream_from_another_epoch_is_not_applied_the_client_syncs_and_reconnects_naming_its_epoch()
    {
        const string name = "stream-hello-of-another-epoch";
        // A server that answers the sync with one history and the stream with another (a restore in
        // between). Chunked, as a live stream is: a complete answer would leave its connection for reuse.
        _server.Cases.TryAdd(name, new HostileCase(HostileTarget.Stream,
            "retry: 2000\nevent: hello\ndata: {\"epoch\":\"ffffffffffffffffffffffffffffffff\",\"cursor\":0}\n\n" + Message("1", $"[{ValidEvent}]"),
            "text/event-stream", Chunked: true));
        var queries = new List<string>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Opened(string caseName, string query)
        {
            if (caseName != name)
                return;
            lock (queries)
            {
                queries.Add(query);
                if (queries.Count == 2)
                    reconnected.TrySetResult();
            }
        }
        _server.StreamOpened += Opened;
        try
        {
            using var client = NewClient(name);
            await client.LoginAsync("alice", "password", Ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var watch = client.WatchAsync(stop.Token);

            var first = await Task.WhenAny(reconnected.Task, watch).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.True(first == reconnected.Task, $"the watch ended: {watch.Exception?.InnerException?.Message}");
            Assert.True(first == reconnected.Task, $"the watch ended: {watch.Exception?.InnerException?.Message}");
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);

            Assert.Empty(client.Events());
            Assert.Null(client.Status().LastError);
            lock (queries)
                Assert.All(queries, q => Assert.Equal($"?epoch={Epoch}", q));
        }
        finally
        {
            _server.StreamOpened -= Opened;
        }
    }

    public void Dispose()
    {
        foreach (var http in _http)
            http.Dispose();
    }

    private SyncClient NewClient(string name)
    {
        var http = new HttpClient { BaseAddress = _server.BaseAddressOf(name), Timeout = TimeSpan.FromSeconds(30) };
        _http.Add(http);
        return new SyncClient(http, null, options: _server.Cases[name].Options);
    }

    private static string Pushed(string e) => $$"""{"epoch":"{{Epoch}}","cursor":1,"more":false,"events":[{{e}}],"results":{{Accepted}}}""";

    private static string Message(string id, string data) => $"id: {id}\nevent: events\ndata: {data}\n\n";
}
