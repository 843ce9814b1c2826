using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>POST, PUT and GET /admin/users.</summary>
public sealed class AdminUserTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string GoodPassword = "a-good-password";

    [Fact]
    public async Task Creating_a_user_is_201_with_its_uuid_and_the_user_can_log_in()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await LiveServer.StartAsync(time: time);
        var admin = await server.AdminAsync();

        using var response = await admin.PostAsJsonAsync("/admin/users", new CreateUserRequest("u-42", "bob", GoodPassword),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("u-42", Assert.Single(body.RootElement.EnumerateObject(), p => p.Name == "uuid").Value.GetString());
        Assert.Single(body.RootElement.EnumerateObject());
        Assert.Equal("u-42", Jwt.Payload(await server.LoginAsync("bob", GoodPassword))["sub"]!.GetValue<string>());
        var bob = Assert.Single(await admin.GetUsersAsync(), u => u.Username == "bob");
        Assert.Equal(new UserInfo("u-42", "bob", false, time.GetUtcNow()), bob);
    }

    [Fact]
    public async Task Listing_users_shows_every_user_with_its_admin_flag()
    {
        using var response = await shared.Admin.GetAsync("/admin/users", TestContext.Current.CancellationToken);

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var users = body.RootElement.EnumerateArray().ToList();
        // Nothing secret is listed: no password hash, no security stamp.
        Assert.All(users, u => Assert.Equal(["admin", "createdAt", "username", "uuid"], u.EnumerateObject().Select(p => p.Name).Order()));
        Assert.Contains(users, u => u.GetProperty("username").GetString() == "admin" && u.GetProperty("admin").GetBoolean());
        Assert.Contains(users, u => u.GetProperty("username").GetString() == "alice" && !u.GetProperty("admin").GetBoolean()
            && u.GetProperty("uuid").GetString() == "user-alice");
    }

    public static TheoryData<string, string> Conflicts() => new()
    {
        { "user-alice", "alice-two" },
        { "user-alice-2", "alice" },
        { "user-alice-2", "Alice" },
        { "user-alice-2", "ALICE" },
        { "user-alice", "alice" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public async Task A_taken_uuid_or_username_is_400_conflict_and_creates_nothing(string uuid, string username)
    {
        var before = await shared.Admin.GetUsersAsync();

        using var response = await shared.Admin.PostAsJsonAsync("/admin/users", new CreateUserRequest(uuid, username, GoodPassword),
            TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Conflict);
        Assert.Equal(before, await shared.Admin.GetUsersAsync());
        await AssertAliceUnchangedAsync();
    }

    public static TheoryData<string, string> InvalidNewUsers()
    {
        static string User(string uuid = "\"u-new\"", string username = "\"newbie\"", string password = $"\"{GoodPassword}\"") =>
            $$"""{"uuid":{{uuid}},"username":{{username}},"password":{{password}}}""";
        return new()
        {
            { User(username: "\"\""), "username" },
            { User(username: $"\"{new string('a', 65)}\""), "username" },
            { User(username: "\"new bie\""), "username" },
            { User(username: "\"newbie!\""), "username" },
            { User(username: "\"new/bie\""), "username" },
            { User(username: "\"n\u00e9wbie\""), "username" },
            { User(username: "\"newbi\u0435\""), "username" },
            { User(username: "\"newbie\\u0000\""), "username" },
            { User(password: "\"7-chars\""), "password" },
            { User(password: "\"\""), "password" },
            { User(password: $"\"{new string('p', 1025)}\""), "password" },
            { User(uuid: "\"\""), "uuid" },
            { User(uuid: "\"u-\\u0001\""), "uuid" },
            { User(uuid: "\"u-\\n\""), "uuid" },
            { User(uuid: "\"u-\\u007f\""), "uuid" },
            { User(uuid: $"\"{new string('u', 129)}\""), "uuid" },
            { User(uuid: "\"*\""), "uuid" },
            { User(uuid: "\"u-*\""), "uuid" },
            { User(uuid: "\"u new\""), "uuid" },
            { User(uuid: "\"u-new\u00a0\""), "uuid" },
            { User(uuid: "\"u-new\u3000\""), "uuid" },
            { User(uuid: "\"user-alice\u200b\""), "uuid" },
            { User(uuid: "\"user-alice\u2060\""), "uuid" },
            { User(uuid: "\"\ufeffuser-alice\""), "uuid" },
            { User(uuid: "\"user-\u202ealice\""), "uuid" },
            { User(uuid: "\"user-alice\ufe0f\""), "uuid" },
            { User(uuid: "\"user-alice\u034f\""), "uuid" },
            { User(uuid: "\"user-alice\u3164\""), "uuid" },
            { User(uuid: "\"user-alice\u2028\""), "uuid" },
            { User(uuid: "\"user-alice\udb40\udc20\""), "uuid" },
            { User(uuid: "42"), "uuid" },
            { User(username: "null"), "username" },
            { User(password: "true"), "password" },
            { """{"username":"newbie","password":"a-good-password"}""", "uuid" },
            { """{"uuid":"u-new","password":"a-good-password"}""", "username" },
            { """{"uuid":"u-new","username":"newbie"}""", "password" },
            { """{"uuid":"u-new","username":"newbie","password":"a-good-password","admin":true}""", "admin" },
            { """{"uuid":"u-new","uuid":"u-new","username":"newbie","password":"a-good-password"}""", "uuid" },
            { """{"\udc00":1,"uuid":"u-new","username":"newbie","password":"a-good-password"}""", "$" },
            { """["u-new","newbie","a-good-password"]""", "$" },
            { "uuid=u-new&username=newbie&password=a-good-password", "$" },
            { "", "$" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidNewUsers))]
    public async Task An_invalid_new_user_is_400_naming_the_field_and_creates_nothing(string body, string field)
    {
        var before = await shared.Admin.GetUsersAsync();

        using var response = await shared.Admin.SendJsonAsync(HttpMethod.Post, "/admin/users", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
        Assert.Equal(before, await shared.Admin.GetUsersAsync());
    }

    [Fact]
    public async Task Names_and_uuids_at_their_limits_are_accepted()
    {
        var uuid = $"u-{new string('\u00e9', 126)}";
        var username = $"A.b_c-9{new string('z', 57)}";

        using var response = await shared.Admin.PostAsJsonAsync("/admin/users", new CreateUserRequest(uuid, username, "8-chars!"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains(await shared.Admin.GetUsersAsync(), u => u.Uuid == uuid && u.Username == username);
    }

    public static TheoryData<string, string?> InvalidUpdates() => new()
    {
        { "{}", null },
        { """{"new_username":null,"new_password":null}""", null },
        { """{"new_username":""}""", "new_username" },
        { """{"new_username":"new name"}""", "new_username" },
        { $$"""{"new_username":"{{new string('a', 65)}}"}""", "new_username" },
        { """{"new_username":"alice2","new_password":"short"}""", "new_password" },
        { """{"new_password":""}""", "new_password" },
        { """{"new_password":12345678}""", "new_password" },
        { """{"new_username":["alice2"]}""", "new_username" },
        { """{"username":"alice2"}""", "username" },
        { """{"newPassword":"a-good-password"}""", "newPassword" },
        { """{"new_password":"a-good-password","is_admin":true}""", "is_admin" },
        { """{"new_password":"a-good-password","admin":"yes"}""", "admin" },
        { """{"admin":1}""", "admin" },
        { """{"new_username":null,"new_password":null,"admin":null}""", null },
        { """{"new_password":"a-good-password","new_password":"a-good-password"}""", "new_password" },
        { "[]", "$" },
        { "not json", "$" },
        { "", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public async Task An_invalid_update_is_400_and_changes_nothing(string body, string? field)
    {
        using var response = await shared.Admin.SendJsonAsync(HttpMethod.Put, $"/admin/users/{shared.AliceUuid}", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Invalid);
        if (field is not null)
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        await AssertAliceUnchangedAsync();
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("ADMIN")]
    public async Task Renaming_to_a_taken_username_is_400_conflict_and_changes_nothing(string username)
    {
        using var response = await shared.Admin.PutAsJsonAsync($"/admin/users/{shared.AliceUuid}", new UpdateUserRequest(username),
            TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.Conflict);
        await AssertAliceUnchangedAsync();
    }

    [Theory]
    [InlineData("user-nobody")]
    [InlineData("USER-ALICE")]
    [InlineData("user-alice%20")]
    public async Task Updating_a_user_that_does_not_exist_is_404(string uuid)
    {
        var before = await shared.Admin.GetUsersAsync();

        using var response = await shared.Admin.PutAsJsonAsync($"/admin/users/{uuid}", new UpdateUserRequest("ghost", GoodPassword),
            TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        Assert.Equal(before, await shared.Admin.GetUsersAsync());
        await AssertAliceUnchangedAsync();
    }

    [Fact]
    public async Task A_user_can_be_renamed_to_another_case_of_its_own_name()
    {
        await using var server = await LiveServer.StartAsync();
        var (uuid, _) = await server.NewUserAsync("carol");
        var admin = await server.AdminAsync();

        using var response = await admin.PutAsJsonAsync($"/admin/users/{uuid}", new UpdateUserRequest("Carol"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains(await admin.GetUsersAsync(), u => u.Uuid == uuid && u.Username == "Carol");
    }

    /// <summary>Alice is still listed under her name, and her token still works: her security stamp did not change.</summary>
    private async Task AssertAliceUnchangedAsync()
    {
        Assert.Contains(await shared.Admin.GetUsersAsync(), u => u is { Uuid: "user-alice", Username: "alice" });
        using var response = await shared.Alice.GetAsync("/events", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
