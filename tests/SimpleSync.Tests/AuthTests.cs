using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>POST /auth/token, the tokens it issues, and how long they stay good.</summary>
public sealed class AuthTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly DateTimeOffset Start = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public async Task A_login_returns_an_HS256_token_naming_the_user_that_lasts_seven_days()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        var (uuid, _) = await server.NewUserAsync("alice");

        var token = await server.LoginAsync("alice", LiveServer.PasswordOf("alice"));

        Assert.Equal("HS256", Jwt.Header(token)["alg"]!.GetValue<string>());
        var claims = Jwt.Payload(token);
        Assert.Equal(uuid, claims["sub"]!.GetValue<string>());
        Assert.Equal("alice", claims["name"]!.GetValue<string>());
        Assert.Equal(Start.ToUnixTimeSeconds(), claims["iat"]!.GetValue<long>());
        Assert.Equal(Start.AddDays(7).ToUnixTimeSeconds(), claims["exp"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(claims["stamp"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_token_works_until_its_lifetime_ends_and_is_401_from_then_on()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(time: time);
        var (_, alice) = await server.NewUserAsync("alice");

        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        using (var lastSecond = await alice.GetAsync("/events", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, lastSecond.StatusCode);
        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await alice.GetAsync("/events", TestContext.Current.CancellationToken);

        await expired.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        Assert.Contains(expired.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        var fresh = server.NewClient(await server.LoginAsync("alice", LiveServer.PasswordOf("alice")));
        using var again = await fresh.GetAsync("/events", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task The_token_lifetime_comes_from_the_config()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await LiveServer.StartAsync(o => o with { Auth = o.Auth with { TokenLifetime = TimeSpan.FromMinutes(30) } }, time);

        var token = await server.LoginAsync("admin", server.AdminPassword);

        var claims = Jwt.Payload(token);
        Assert.Equal(30 * 60, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        time.Advance(TimeSpan.FromMinutes(30));
        using var expired = await server.NewClient(token).GetAsync("/acl", TestContext.Current.CancellationToken);
        await expired.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
    }

    [Theory]
    [InlineData("alice", "wrong-password")]
    [InlineData("nobody", "wrong-password")]
    [InlineData("nobody", "pw-alice-secret")]
    [InlineData("not a username!", "pw-alice-secret")]
    [InlineData("ALICE", "PW-ALICE-SECRET")]
    [InlineData("alice", "")]
    public async Task Bad_credentials_are_401_with_one_answer_whether_or_not_the_user_exists(string username, string password)
    {
        using var reference = await shared.Server.Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest("alice", "wrong-password"),
            TestContext.Current.CancellationToken);
        var expected = await reference.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);

        using var response = await shared.Server.Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest(username, password),
            TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        Assert.Equal(expected.GetProperty("title").GetString(), problem.GetProperty("title").GetString());
        Assert.Equal(expected.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        Assert.False(problem.TryGetProperty("token", out _));
    }

    [Fact]
    public async Task A_username_matches_whatever_its_case()
    {
        var token = await shared.Server.LoginAsync("ALICE", LiveServer.PasswordOf("alice"));

        Assert.Equal(shared.AliceUuid, Jwt.Payload(token)["sub"]!.GetValue<string>());
    }

    public static TheoryData<string, string> BadLoginBodies() => new()
    {
        { "{}", "username" },
        { """{"username":"alice"}""", "password" },
        { """{"password":"pw-alice-secret"}""", "username" },
        { """{"username":"alice","password":"pw-alice-secret","remember":true}""", "remember" },
        { """{"username":1,"password":"pw-alice-secret"}""", "username" },
        { """{"username":"alice","password":null}""", "password" },
        { """{"username":"alice","password":["pw-alice-secret"]}""", "password" },
        { """{"username":"alice","username":"alice","password":"pw-alice-secret"}""", "username" },
        { """{"Username":"alice","Password":"pw-alice-secret"}""", "Username" },
        { """{"username":"alice","password":"\ud800"}""", "password" },
        { """{"\ud800":1,"username":"alice","password":"pw-alice-secret"}""", "$" },
        { "username=alice&password=pw-alice-secret", "$" },
        { """{"username":"alice","password":"pw-alice-secret"} {}""", "$" },
        { "{\"username\":\"alice\",\"password\":\"pw-alice-secret\"", "$" },
        { """["alice","pw-alice-secret"]""", "$" },
        { "null", "$" },
        { "", "$" },
    };

    [Theory]
    [MemberData(nameof(BadLoginBodies))]
    public async Task A_malformed_login_body_is_400_naming_what_is_wrong(string body, string field)
    {
        using var response = await shared.Server.Anonymous.SendJsonAsync(HttpMethod.Post, "/auth/token", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData(null, "a-new-password")]
    [InlineData("alice2", null)]
    [InlineData("alice2", "a-new-password")]
    public async Task Changing_the_username_or_password_revokes_older_tokens_and_the_new_credentials_work(
        string? newUsername, string? newPassword)
    {
        await using var server = await LiveServer.StartAsync();
        var (uuid, alice) = await server.NewUserAsync("alice");
        var admin = await server.AdminAsync();

        using var update = await admin.PutAsJsonAsync($"/admin/users/{uuid}", new UpdateUserRequest(newUsername, newPassword),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, update.StatusCode);
        using var old = await alice.GetAsync("/events", TestContext.Current.CancellationToken);
        await old.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        using var stale = await server.Anonymous.PostAsJsonAsync("/auth/token", new TokenRequest("alice", LiveServer.PasswordOf("alice")),
            TestContext.Current.CancellationToken);
        await stale.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
        var token = await server.LoginAsync(newUsername ?? "alice", newPassword ?? LiveServer.PasswordOf("alice"));
        Assert.Equal(newUsername ?? "alice", Jwt.Payload(token)["name"]!.GetValue<string>());
        using var fresh = await server.NewClient(token).GetAsync("/events", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        using var others = await admin.GetAsync("/acl", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
    }

    [Fact]
    public async Task Admin_status_belongs_to_the_account_that_a_listed_name_granted_it_to()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Auth = o.Auth with { Admins = ["admin", "boss"] } });
        var (bossUuid, boss) = await server.NewUserAsync("boss");
        var (_, carol) = await server.NewUserAsync("carol");

        using (var asBoss = await boss.GetAsync("/admin/users", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, asBoss.StatusCode);
        using (var asCarol = await carol.GetAsync("/admin/users", TestContext.Current.CancellationToken))
            await asCarol.AssertProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        var users = await boss.GetUsersAsync();
        Assert.Equal(["admin:True", "boss:True", "carol:False"], users.Select(u => $"{u.Username}:{u.Admin}"));

        // Renamed off the list, boss is still an admin; a new account under the old name is not one.
        using (var rename = await boss.PutAsJsonAsync($"/admin/users/{bossUuid}", new UpdateUserRequest("former-boss"),
            TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.NoContent, rename.StatusCode);
        var renamed = server.NewClient(await server.LoginAsync("former-boss", LiveServer.PasswordOf("boss")));
        using (var afterRename = await renamed.GetAsync("/acl", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, afterRename.StatusCode);
        var (_, newBoss) = await server.NewUserAsync("boss", uuid: "user-boss-2");
        using var impostor = await newBoss.GetAsync("/acl", TestContext.Current.CancellationToken);
        await impostor.AssertProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
    }
}
