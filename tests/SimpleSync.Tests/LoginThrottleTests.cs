using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>Failed logins from one address are limited (auth.login_max_failures within auth.login_window).</summary>
public sealed class LoginThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private static Task<LiveServer> StartAsync(FakeTimeProvider time) =>
        LiveServer.StartAsync(o => o with { Auth = o.Auth with { LoginMaxFailures = 3, LoginWindow = Window } }, time);

    private static async Task<HttpStatusCode> LoginStatusAsync(LiveServer server, string username, string password)
    {
        using var response = await server.Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest(username, password),
            TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task After_too_many_failures_even_the_right_password_is_429_until_the_window_ends()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await StartAsync(time);
        var password = server.AdminPassword;

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "nobody", "wrong-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));
        using (var limited = await server.Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest("admin", password),
            TestContext.Current.CancellationToken))
        {
            await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
            // The window opened with the first failure, a minute ago.
            Assert.Equal("240", Assert.Single(limited.Headers.GetValues("Retry-After")));
        }

        time.Advance(Window - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));
        using (var lastSecond = await server.Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest("admin", password),
            TestContext.Current.CancellationToken))
        {
            await lastSecond.AssertProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
            Assert.Equal("1", Assert.Single(lastSecond.Headers.GetValues("Retry-After")));
        }
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", password));
    }

    [Fact]
    public async Task Successful_logins_do_not_count_as_failures()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(time);
        var password = server.AdminPassword;

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", password));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", password));

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginStatusAsync(server, "admin", password));
    }

    [Fact]
    public async Task A_throttled_address_can_still_use_the_token_it_already_has()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartAsync(time);
        var admin = await server.AdminAsync();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginStatusAsync(server, "admin", server.AdminPassword));
        using var response = await admin.GetAsync("/acl", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
