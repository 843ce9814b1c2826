using SimpleSync.Errors;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Tests.Storage;

public abstract partial class EventStoreContract
{
    private async Task<IReadOnlyList<string>> AdminsAsync(IEventStore store) =>
        [.. (await store.ListUsersAsync(Ct)).Where(u => u.Admin).Select(u => u.Username)];

    [Fact]
    public async Task A_listed_name_makes_the_account_that_holds_it_an_admin_once()
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);
        await store.CreateUserAsync(Bob, Ct);

        Assert.Equal(["alice"], await store.GrantAdminsAsync(["ALICE", "carol"], T0, Ct));
        Assert.Empty(await store.GrantAdminsAsync(["ALICE", "carol"], T0, Ct));
        Assert.Equal(["alice"], await AdminsAsync(store));

        // carol's name was not used yet: the first account to hold it becomes an admin.
        await store.CreateUserAsync(new StoredUser("user-carol", "carol", "hash-carol", "stamp-carol", T0), Ct);
        Assert.Equal(["carol"], await store.GrantAdminsAsync(["alice", "carol"], T0, Ct));
        Assert.Equal(["alice", "carol"], await AdminsAsync(store));
    }

    [Fact]
    public async Task A_rename_keeps_admin_status_and_the_used_name_grants_nothing_to_a_later_account()
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice, Ct);
        await store.GrantAdminsAsync(["alice"], T0, Ct);

        await store.UpdateUserAsync("user-alice", "alice-renamed", null, "stamp-alice-2", T0.AddMinutes(1), Ct);
        await store.CreateUserAsync(new StoredUser("user-alice-2", "alice", "hash-2", "stamp-2", T0.AddMinutes(2)), Ct);

        Assert.Empty(await store.GrantAdminsAsync(["alice"], T0.AddMinutes(3), Ct));
        Assert.Equal(["alice-renamed"], await AdminsAsync(store));
    }

    [Fact]
    public async Task Admin_status_is_granted_and_revoked_but_never_from_the_last_admin()
    {
        await using var store = OpenStore();
        await store.CreateUserAsync(Alice with { Admin = true }, Ct);
        await store.CreateUserAsync(Bob, Ct);

        var last = await Assert.ThrowsAsync<ApiException>(() => store.SetAdminAsync("user-alice", false, Ct));
        Assert.Equal(ErrorCodes.Conflict, last.Code);
        Assert.Equal(["alice"], await AdminsAsync(store));

        Assert.True(await store.SetAdminAsync("user-bob", true, Ct));
        Assert.True(await store.SetAdminAsync("user-alice", false, Ct));
        Assert.Equal(["Bob"], await AdminsAsync(store));
        Assert.False(await store.SetAdminAsync("user-nobody", true, Ct));
        Assert.True((await store.FindUserByUuidAsync("user-bob", Ct))!.Admin);
    }
}
