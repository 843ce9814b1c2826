using System.Net;
using System.Text;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Sync;

/// <summary>
/// The SDKs name their device and software on every request (<c>Sync-Device</c>,
/// <c>Sync-Client</c>, docs/protocol.md). The server accepts the headers, and a value that breaks
/// their rules never fails a request: it is answered as one without them.
/// </summary>
public sealed class ClientHeaderTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Values => new()
    {
        { "0123456789abcdef0123456789abcdef", "simplesync-dotnet/0.1.0 todo-cli/1.2.0" },
        { new string('D', 64), new string('x', 200) },
        { "", "" },
        { new string('d', 65), new string('x', 201) },
        { "not a device id!", "tab\tand\u0001control" },
        { "é", "naïve/1.0" },
        { "a, b", "simplesync-js/0.1.0, twice/1" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Login_pull_push_and_stream_are_answered_whatever_the_identity_headers_hold(string device, string client)
    {
        var requests = new Func<HttpRequestMessage>[]
        {
            () => new(HttpMethod.Post, "/auth/token")
            {
                Content = new StringContent($$"""{"username":"alice","password":"{{LiveServer.PasswordOf("alice")}}"}""", Encoding.UTF8, "application/json"),
            },
            () => new(HttpMethod.Get, "/sync?cursor=0"),
            () => new(HttpMethod.Post, "/sync") { Content = new StringContent("""{"cursor":0,"events":[]}""", Encoding.UTF8, "application/json") },
            () => new(HttpMethod.Get, "/sync/stream?cursor=0"),
        };

        // HttpClient sends ASCII only unless told otherwise; UTF-8 is what Kestrel reads.
        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = shared.Server.BaseAddress,
            DefaultRequestHeaders = { Authorization = new("Bearer", shared.AliceToken) },
        };
        foreach (var make in requests)
        {
            using var request = make();
            request.Headers.TryAddWithoutValidation("Sync-Device", device);
            request.Headers.TryAddWithoutValidation("Sync-Client", client);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode}");
        }
    }
}
