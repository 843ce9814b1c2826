using SimpleSync.Errors;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Tests.Storage;

public abstract partial class EventStoreContract
{
    // Stores keep times to the millisecond; whole milliseconds compare equal after a round trip.
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    private static readonly StoredUser Alice = new("user-alice", "alice", "hash-alice", "stamp-alice-1", T0);
    private static readonly StoredUser Bob = new("user-bob", "Bob", "hash-bob", "stamp-bob-1", T0.AddMinutes(1));

    [Theory]
    [InlineData("alice")]
    [InlineData("ALICE")]
    [InlineData("aLiCe")]
    public async Task A_created_user_is_found_by_uuid_and_by_username_in_any_letter_case(string asked)
    {
        await using var store = OpenStore();

        await store.CreateUserAsync(Alice, Ct);

        Assert.Equal(Alice, await store.FindUserByUuidAsync("user-alice", Ct));
        Assert.Equal(Alice, await store.FindUserByNameAsync(asked, Ct));
    }

    [Theory]
    [InlineData("name", "bob")]
    [InlineData("name", "alice2")]
    [InlineData("name", "alic")]
    [InlineData("uuid", "user-bob")]
    [InlineData("uuid", "USER-ALICE")]
    [InlineData("uuid", "alice")]
    public async Task Looking_up_a_user_who_does_not_exist_finds_nobody(string by, string key)
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);

        var found = by == "name" ? await store.FindUserByNameAsync(key, Ct) : await store.FindUserByUuidAsync(key, Ct);

        Assert.Null(found);
    }

    [Theory]
    [InlineData("user-alice", "carol")]
    [InlineData("user-carol", "alice")]
    [InlineData("user-carol", "ALICE")]
    [InlineData("user-alice", "alice")]
    public async Task Creating_a_user_whose_uuid_or_username_is_taken_is_a_conflict_and_changes_nothing(string uuid, string username)
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);

        var error = await Assert.ThrowsAsync<ApiException>(
            () => store.CreateUserAsync(new StoredUser(uuid, username, "hash-new", "stamp-new", T0.AddDays(1)), Ct));

        Assert.Equal(ErrorCodes.Conflict, error.Code);
        Assert.Equal(1, await store.CountUsersAsync(Ct));
        Assert.Equal([Alice], await store.ListUsersAsync(Ct));
    }

    [Theory]
    [InlineData("alicia", null)]
    [InlineData(null, "hash-alice-2")]
    [InlineData("alicia", "hash-alice-2")]
    [InlineData(null, null)]
    public async Task Updating_a_user_changes_what_is_given_and_always_the_stamp(string? newUsername, string? newHash)
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);
        await store.CreateUserAsync(Bob, Ct);

        var updated = await store.UpdateUserAsync("user-alice", newUsername, newHash, "stamp-alice-2", T0.AddHours(1), Ct);

        Assert.True(updated);
        var expected = Alice with
        {
            Username = newUsername ?? Alice.Username,
            PasswordHash = newHash ?? Alice.PasswordHash,
            SecurityStamp = "stamp-alice-2",
        };
        Assert.Equal(expected, await store.FindUserByUuidAsync("user-alice", Ct));
        Assert.Equal(expected, await store.FindUserByNameAsync(expected.Username, Ct));
        if (newUsername is not null)
            Assert.Null(await store.FindUserByNameAsync("alice", Ct));
        Assert.Equal(Bob, await store.FindUserByUuidAsync("user-bob", Ct));
    }

    [Fact]
    public async Task Updating_a_user_who_does_not_exist_returns_false_and_creates_nobody()
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);

        var updated = await store.UpdateUserAsync("user-nobody", "nobody", "hash", "stamp", T0, Ct);

        Assert.False(updated);
        Assert.Equal([Alice], await store.ListUsersAsync(Ct));
        Assert.Null(await store.FindUserByNameAsync("nobody", Ct));
    }

    [Theory]
    [InlineData("Bob")]
    [InlineData("bob")]
    [InlineData("BOB")]
    public async Task Renaming_a_user_to_a_taken_username_is_a_conflict_and_changes_nothing(string taken)
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);
        await store.CreateUserAsync(Bob, Ct);

        var error = await Assert.ThrowsAsync<ApiException>(
            () => store.UpdateUserAsync("user-alice", taken, "hash-alice-2", "stamp-alice-2", T0.AddHours(1), Ct));

        Assert.Equal(ErrorCodes.Conflict, error.Code);
        Assert.Equal(Alice, await store.FindUserByUuidAsync("user-alice", Ct));
        Assert.Equal(Bob, await store.FindUserByUuidAsync("user-bob", Ct));
    }

    [Fact]
    public async Task A_user_may_be_renamed_to_their_own_username_in_other_letter_case()
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);

        Assert.True(await store.UpdateUserAsync("user-alice", "Alice", null, "stamp-alice-2", T0, Ct));

        Assert.Equal("Alice", (await store.FindUserByNameAsync("alice", Ct))?.Username);
    }

    [Fact]
    public async Task Users_are_listed_and_counted()
    {
        await using var store = OpenStore();
        Assert.Empty(await store.ListUsersAsync(Ct));
        Assert.Equal(0, await store.CountUsersAsync(Ct));
        var carol = new StoredUser("🙂 any text", "carol.c_-9", "hash-carol", "stamp-carol", T0.AddDays(2));

        foreach (var user in new[] { Bob, carol, Alice })
            await store.CreateUserAsync(user, Ct);

        Assert.Equal(3, await store.CountUsersAsync(Ct));
        Assert.Equal(
            new[] { Alice, Bob, carol }.OrderBy(u => u.Uuid, StringComparer.Ordinal),
            (await store.ListUsersAsync(Ct)).OrderBy(u => u.Uuid, StringComparer.Ordinal));
    }
}
