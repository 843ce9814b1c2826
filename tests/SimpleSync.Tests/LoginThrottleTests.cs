using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Auth;
using SimpleSync.Config;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// Failed logins are limited per client address (auth.login_max_failures within auth.login_window,
/// IPv6 by /64) and per username (a doubling wait past the same number), counted before the hash.
/// </summary>
public sealed class LoginThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private static Task<LiveServer> StartAsync(FakeTimeProvider time, Func<SimpleSyncOptions, SimpleSyncOptions>? configure = null) =>
        LiveServer.StartAsync(o =>
        {
            o = o with { Auth = o.Auth with { LoginMaxFailures = 3, LoginWindow = Window } };
            return configure?.Invoke(o) ?? o;
        }, time);

    /// <summary>A server that believes X-Forwarded-For from the test, so that each request can come from an address of its choice.</summary>
    private static Task<LiveServer> StartBehindProxyAsync(FakeTimeProvider time) =>
        StartAsync(time, o => o with { Server = o.Server with { TrustedProxies = [IPNetwork.Parse("127.0.0.1/32")] } });

    private static async Task<HttpResponseMessage> LoginAsync(LiveServer server, string username, string password, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/token") { Content = JsonContent.Create(new TokenRequest(username, password)) };
        if (from is not null)
            request.Headers.Add("X-Forwarded-For", from);
        return await server.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<HttpStatusCode> LoginStatusAsync(LiveServer server, string username, string password, string? from = null)
    {
        using var response = await LoginAsync(server, username, password, from);
        return response.StatusCode;
    }

    private static async Task AssertLimitedAsync(LiveServer server, string username, string password, string? from, string retryAfter)
    {
        using var response = await LoginAsync(server, username, password, from);
        await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
        Assert.Equal(retryAfter, Assert.Single(response.Headers.GetValues("Retry-After")));
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
        // The window opened with the first failure, a minute ago.
        await AssertLimitedAsync(server, "admin", password, from: null, retryAfter: "240");

        time.Advance(Window - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));
        await AssertLimitedAsync(server, "admin", password, from: null, retryAfter: "1");
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

    /// <summary>Hashes that last until <paramref name="release"/>: one on every worker, then a full queue behind them.</summary>
    private static async Task<Task[]> OccupyHashWorkersAsync(LiveServer server, Task release)
    {
        var workers = server.App.Services.GetRequiredService<HashWorkers>();
        var ct = TestContext.Current.CancellationToken;
        bool hold()
        {
            release.Wait(ct);
            return true;
        }
        var busy = new List<Task>();
        for (var i = 0; i < HashWorkers.DefaultWorkers; i++)
            busy.Add(workers.RunAsync(hold, ct));
        await Conditions.WaitUntilAsync(() => workers.Running == HashWorkers.DefaultWorkers, "every hash worker taking a job");
        for (var i = 0; i < HashWorkers.DefaultQueue; i++)
            busy.Add(workers.RunAsync(hold, ct));
        return [.. busy];
    }

    [Fact]
    public async Task Parallel_wrong_passwords_get_no_more_401s_than_the_limit_because_attempts_count_before_the_hash()
    {
        // The production cost, so that each hash takes long enough for the others to arrive meanwhile.
        await using var server = await LiveServer.StartAsync(o => o with
        {
            Auth = o.Auth with { LoginMaxFailures = 10, PasswordIterations = PasswordHasher.DefaultIterations },
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => LoginStatusAsync(server, "admin", "wrong-password")));

        Assert.Equal(10, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(20, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        var workers = server.App.Services.GetRequiredService<HashWorkers>();
        Assert.InRange(workers.Peak, 1, HashWorkers.DefaultWorkers);
    }

    [Fact]
    public async Task When_every_hash_worker_and_the_queue_are_busy_a_login_is_503_with_Retry_After_and_other_requests_still_answer()
    {
        await using var server = await LiveServer.StartAsync();
        var alice = (await server.NewUserAsync("alice")).Client;
        var release = new TaskCompletionSource();
        var busy = await OccupyHashWorkersAsync(server, release.Task);

        using (var refused = await LoginAsync(server, "alice", LiveServer.PasswordOf("alice")))
        {
            await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ErrorCodes.Unavailable);
            Assert.Equal("1", Assert.Single(refused.Headers.GetValues("Retry-After")));
        }
        Assert.Equal(0, (await alice.PullAsync(0)).Cursor);

        release.SetResult();
        await Task.WhenAll(busy);
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "alice", LiveServer.PasswordOf("alice")));
    }

    [Fact]
    public async Task A_busy_refusal_is_not_counted_as_a_failure()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Auth = o.Auth with { LoginMaxFailures = 1 } });
        var release = new TaskCompletionSource();
        var busy = await OccupyHashWorkersAsync(server, release.Task);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await LoginStatusAsync(server, "admin", server.AdminPassword));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await LoginStatusAsync(server, "admin", server.AdminPassword));
        release.SetResult();
        await Task.WhenAll(busy);

        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", server.AdminPassword));
    }

    [Fact]
    public async Task The_first_unknown_username_costs_one_hash_like_a_wrong_password()
    {
        await using var server = await LiveServer.StartAsync();
        var hasher = server.App.Services.GetRequiredService<PasswordHasher>();

        var before = hasher.Derivations;
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "nobody", "wrong-password"));
        Assert.Equal(before + 1, hasher.Derivations);
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password"));
        Assert.Equal(before + 2, hasher.Derivations);
    }

    [Fact]
    public async Task Failures_for_one_username_from_many_addresses_make_it_wait_longer_and_longer()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartBehindProxyAsync(time);
        var password = server.AdminPassword;
        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password", from: $"203.0.113.{i}"));

        // Past the allowance, from a fresh address, even the right password waits: 1 s, then 2 s after the next failure.
        await AssertLimitedAsync(server, "admin", password, from: "198.51.100.1", retryAfter: "1");
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "bob", "wrong-password", from: "198.51.100.1"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password", from: "203.0.113.4"));
        await AssertLimitedAsync(server, "admin", password, from: "198.51.100.1", retryAfter: "2");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", password, from: "198.51.100.1"));

        // A success starts the count afresh.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, "admin", "wrong-password", from: "203.0.113.5"));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", password, from: "198.51.100.2"));
    }

    [Fact]
    public async Task IPv6_clients_are_limited_by_their_64_bit_prefix()
    {
        var time = new FakeTimeProvider();
        await using var server = await StartBehindProxyAsync(time);
        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(server, $"user{i}", "wrong-password", from: $"2001:db8:1:2::{i}"));

        await AssertLimitedAsync(server, "admin", server.AdminPassword, from: "2001:db8:1:2:ffff:ffff:ffff:ffff", retryAfter: "300");
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(server, "admin", server.AdminPassword, from: "2001:db8:1:3::1"));
    }

    [Fact]
    public void The_production_password_cost_is_at_least_600000_iterations_and_the_config_refuses_less()
    {
        Assert.True(new AuthSection().PasswordIterations >= 600_000);
        Assert.Equal(600_000, PasswordHasher.DefaultIterations);
        var hash = new PasswordHasher(new AuthSection().PasswordIterations).Hash("correct horse");
        Assert.Equal("600000", hash.Split('$')[1]);

        var refused = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null,
            new Dictionary<string, string> { ["SIMPLESYNC_AUTH_PASSWORD_ITERATIONS"] = "599999" }));
        Assert.Contains("SIMPLESYNC_AUTH_PASSWORD_ITERATIONS", refused.Message, StringComparison.Ordinal);
    }
}
