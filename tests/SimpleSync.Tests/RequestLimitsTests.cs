using System.Net;
using System.Text;
using SimpleSync.Config;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>A shared server with small limits.max_body_bytes and limits.max_events_per_push.</summary>
public sealed class SmallLimitsServer : SharedServer
{
    public const int MaxBodyBytes = 4096;
    public const int MaxEventsPerPush = 3;

    private protected override SimpleSyncOptions Configure(SimpleSyncOptions options) =>
        options with { Limits = options.Limits with { MaxBodyBytes = MaxBodyBytes, MaxEventsPerPush = MaxEventsPerPush } };
}

/// <summary>Bodies and pushes over the configured limits are 413 and change nothing.</summary>
public sealed class RequestLimitsTests(SmallLimitsServer shared) : IClassFixture<SmallLimitsServer>
{
    private const int Limit = SmallLimitsServer.MaxBodyBytes;

    /// <summary>A one-event push whose JSON is exactly <paramref name="size"/> bytes.</summary>
    private static (Event Event, byte[] Body) PushOfSize(string user, int size)
    {
        var e = TestEvents.New(user, payload: "");
        var padding = size - Encoding.UTF8.GetByteCount(TestEvents.ToJson([e]));
        e = e with { Payload = new string('x', padding) };
        var body = Encoding.UTF8.GetBytes(TestEvents.ToJson([e]));
        Assert.Equal(size, body.Length);
        return (e, body);
    }

    private Task<HttpResponseMessage> PostEventsAsync(byte[] body, bool withLength)
    {
        HttpContent content = withLength ? new ByteArrayContent(body) : new StreamingContent(body);
        content.Headers.ContentType = new("application/json");
        return shared.Alice.PostAsync("/events", content, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_push_over_the_body_limit_is_413_and_stores_nothing_with_or_without_a_content_length(bool withLength)
    {
        await shared.Server.AllowAllAsync();
        var before = await shared.Alice.GetHistoryAsync();
        var (_, body) = PushOfSize(shared.AliceUuid, Limit + 1);

        using var response = await PostEventsAsync(body, withLength);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
        Assert.Equal(before, await shared.Alice.GetHistoryAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_push_of_exactly_the_body_limit_is_accepted_with_or_without_a_content_length(bool withLength)
    {
        await shared.Server.AllowAllAsync();
        var (e, body) = PushOfSize(shared.AliceUuid, Limit);

        using var response = await PostEventsAsync(body, withLength);

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains(e, await response.ReadEventsAsync());
    }

    [Theory]
    [InlineData("PUT", "/acl", """{"rules":[{"user":"*","item":"*","action":"*","allow":false}]}""")]
    [InlineData("POST", "/admin/users", """{"uuid":"u-big","username":"big","password":"a-good-password"}""")]
    [InlineData("PUT", "/admin/users/user-alice", """{"new_password":"a-new-password"}""")]
    [InlineData("POST", "/auth/token", """{"username":"alice","password":"pw-alice-secret"}""")]
    public async Task Every_body_over_the_limit_is_413_and_changes_nothing(string method, string path, string json)
    {
        var acl = await shared.Admin.GetAclJsonAsync();
        var users = await shared.Admin.GetUsersAsync();
        // Valid JSON, made too big with whitespace only: the size alone must be what is refused.
        var body = json + new string(' ', Limit);

        using var response = await shared.Admin.SendJsonAsync(new HttpMethod(method), path, body);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
        Assert.DoesNotContain("token", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(acl, await shared.Admin.GetAclJsonAsync());
        Assert.Equal(users, await shared.Admin.GetUsersAsync());
        using var stillValid = await shared.Alice.GetAsync("/events", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
    }

    [Fact]
    public async Task A_push_of_more_events_than_the_limit_is_413_and_stores_nothing()
    {
        await shared.Server.AllowAllAsync();
        var before = await shared.Alice.GetHistoryAsync();
        var events = Enumerable.Range(0, SmallLimitsServer.MaxEventsPerPush + 1).Select(_ => TestEvents.New(shared.AliceUuid)).ToArray();

        using var tooMany = await shared.Alice.PushAsync(events);

        await tooMany.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
        Assert.Equal(before, await shared.Alice.GetHistoryAsync());
        using var atLimit = await shared.Alice.PushAsync(events[1..]);
        Assert.Equal([.. before, .. events[1..]], await atLimit.ReadEventsAsync());
    }
}
