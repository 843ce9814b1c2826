using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using SimpleSync.Client.Tests.Support;
using SimpleSync.Protocol;
using SimpleSync.Testing;

namespace SimpleSync.Client.Tests;

/// <summary>
/// The SDK and the server agree on the closed lists of error codes and rejection reasons: adding
/// a code on either side without deciding here how the SDK treats it fails these tests.
/// </summary>
public sealed class ErrorCodeAgreementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every code a <see cref="SyncException"/> can carry, from docs/codes.json: the HTTP status the server sends it with (its first listed), and whether it is transient.</summary>
    private static readonly Dictionary<string, (HttpStatusCode? Status, bool Transient)> Codes =
        CodeList.Load.Errors.Concat(CodeList.Load.ClientErrors).ToDictionary(
            e => e.Code, e => (e.Statuses.Count > 0 ? (HttpStatusCode?)e.Statuses[0] : null, e.Transient));

    public static TheoryData<string> ServerCodes => [.. ErrorCodes.All];

    /// <summary>Codes whose status no other code shares, so a bare status names them (conflict shares 400 with invalid).</summary>
    public static TheoryData<string> CodesOfTheirOwnStatus =>
    [
        .. CodeList.Load.Errors.Where(e => CodeList.Load.Errors.Count(o => o.Statuses.Contains(e.Statuses[0])) == 1).Select(e => e.Code),
    ];

    [Fact]
    public void The_sdk_knows_exactly_the_codes_of_codes_json()
    {
        Assert.Equal(CodeList.Load.Errors.Select(e => e.Code), ErrorCodes.All);
        Assert.Equal(CodeList.Load.ClientErrors.Select(e => e.Code), ClientErrorCodes.All);
    }

    [Fact]
    public void Every_code_is_mapped_explicitly_to_the_transience_codes_json_gives_it()
    {
        foreach (var (code, expected) in Codes)
        {
            Assert.True(SyncException.TransientOf(code) == expected.Transient,
                $"{code}: the SDK says transient={SyncException.TransientOf(code)?.ToString() ?? "unmapped"}, codes.json {expected.Transient}");
            Assert.Equal(expected.Transient, new SyncException(code, "test").IsTransient);
        }
        Assert.Null(SyncException.TransientOf("a_code_nobody_defined"));
    }

    [Theory]
    [MemberData(nameof(ServerCodes))]
    public async Task A_problem_answer_with_a_server_code_surfaces_as_that_code_with_its_status(string code)
    {
        var (status, transient) = Codes[code];
        using var client = new SyncClient(new HttpClient(new CannedAnswer(status!.Value, code)) { BaseAddress = new Uri("https://sdk.test/") }, null);

        var failure = await Assert.ThrowsAsync<SyncException>(() => client.LoginAsync("alice", "password", Ct));

        Assert.Equal(code, failure.Code);
        Assert.Equal(status, failure.Status);
        Assert.Equal(transient, failure.IsTransient);
    }

    [Theory]
    [MemberData(nameof(CodesOfTheirOwnStatus))]
    public async Task An_answer_without_a_problem_body_gets_the_code_of_its_status(string code)
    {
        var (status, _) = Codes[code];
        using var client = new SyncClient(new HttpClient(new CannedAnswer(status!.Value, code: null)) { BaseAddress = new Uri("https://sdk.test/") }, null);

        var failure = await Assert.ThrowsAsync<SyncException>(() => client.LoginAsync("alice", "password", Ct));

        Assert.Equal(code, failure.Code);
    }

    [Fact]
    public async Task Every_rejection_reason_of_the_server_comes_back_to_the_app_as_that_reason()
    {
        await using var server = await SdkServer.StartAsync();
        await server.SetAclAsync(new AclRule("*", "secret-*", "*", false), new AclRule("*", "*", "*", true));
        await server.CreateUserAsync("alice");
        await server.CreateUserAsync("bob");
        using var client = await server.NewClientAsync("alice");
        // One way to make the server refuse an event for each reason; the keys must be exactly RejectionReasons.All.
        var provoked = new Dictionary<string, Event>
        {
            [RejectionReasons.AclDenied] = client.Record("secret-1", "create", "{}"),
            [RejectionReasons.InvalidField] = client.Record(new string('x', EventRules.MaxItemUuidLength + 1), "create", "{}"),
            [RejectionReasons.PayloadTooLarge] = client.Record("task-big", "create", new string('x', EventRules.DefaultMaxPayloadBytes + 1)),
            [RejectionReasons.UuidConflict] = client.Record("task-conflict", "create", """{"title":"mine"}"""),
        };
        // Another copy of the same uuid with other content reaches the server first.
        var raw = server.NewClient();
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await server.LoginAsync("alice", LiveServer.PasswordOf("alice")));
        var conflicting = provoked[RejectionReasons.UuidConflict] with { Payload = """{"title":"theirs"}""" };
        using (var push = await raw.PostAsJsonAsync("/sync", new SyncRequest(0, [conflicting]), ProtocolJsonContext.Default.SyncRequest, Ct))
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        var rejected = (await client.SyncAsync(Ct)).Rejected.ToList();
        // Alice's event, pushed after bob logged in on the same device, is not bob's to push.
        provoked[RejectionReasons.UserMismatch] = client.Record("task-2", "create", "{}");
        await client.LoginAsync("bob", LiveServer.PasswordOf("bob"), Ct);
        rejected.AddRange((await client.SyncAsync(Ct)).Rejected);

        Assert.Equal(RejectionReasons.All.Order(StringComparer.Ordinal), provoked.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(provoked.Count, rejected.Count);
        foreach (var (reason, e) in provoked)
        {
            var rejection = Assert.Single(rejected, r => r.Event == e);
            Assert.Equal(reason, rejection.Reason);
            Assert.False(string.IsNullOrEmpty(rejection.Detail));
        }
        Assert.Empty(client.PendingEvents());
        Assert.Equal([conflicting], await server.HistoryAsync());
    }

    /// <summary>Answers every request with one status and, when given, a problem+json body carrying <c>code</c>.</summary>
    private sealed class CannedAnswer(HttpStatusCode status, string? code) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { RequestMessage = request };
            response.Content = code is null
                ? new StringContent("<html>an error page of a proxy</html>", Encoding.UTF8, "text/html")
                : new StringContent($$"""{"status":{{(int)status}},"title":"test","code":"{{code}}"}""", Encoding.UTF8, "application/problem+json");
            return Task.FromResult(response);
        }
    }
}
