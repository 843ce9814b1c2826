using SimpleSync.Protocol;

namespace SimpleSync.Tests.Storage;

public abstract partial class EventStoreContract
{
    private static readonly AclRule[] RulesV1 = [new("*", "task-*", "*", true)];
    private static readonly AclRule[] RulesV2 = [new("user-bob", "*", "delete", false), new("*", "*", "*", true)];

    [Fact]
    public async Task Before_any_change_the_ACL_is_empty_at_version_0_with_no_history()
    {
        await using var store = OpenStore();

        var acl = await store.GetAclAsync(Ct);

        Assert.Equal(0, acl.Version);
        Assert.Empty(acl.Rules);
        Assert.Null(acl.ChangedAt);
        Assert.Null(acl.ChangedBy);
        Assert.Equal(0, await store.GetAclVersionAsync(Ct));
        Assert.Empty(await store.GetAclHistoryAsync(Ct));
    }

    [Fact]
    public async Task Each_replacement_returns_a_higher_version_and_becomes_the_current_ACL()
    {
        await using var store = OpenStore();
        var versions = new List<long>();

        foreach (var (rules, by, minutes) in new[] { (RulesV1, "admin", 1), (RulesV2, "cli", 2), ([], "root", 3) })
        {
            var version = await store.ReplaceAclAsync(rules, by, T0.AddMinutes(minutes), Ct);
            versions.Add(version);

            var current = await store.GetAclAsync(Ct);
            Assert.Equal(version, current.Version);
            Assert.Equal(rules, current.Rules);
            Assert.Equal(by, current.ChangedBy);
            Assert.Equal(T0.AddMinutes(minutes), current.ChangedAt);
            Assert.Equal(version, await store.GetAclVersionAsync(Ct));
        }

        Assert.True(versions[0] > 0);
        Assert.True(versions[0] < versions[1] && versions[1] < versions[2], string.Join(", ", versions));
    }

    [Fact]
    public async Task The_ACL_history_lists_every_change_oldest_first_with_who_and_when()
    {
        await using var store = OpenStore();
        var v1 = await store.ReplaceAclAsync(RulesV1, "admin", T0, Ct);
        var v2 = await store.ReplaceAclAsync(RulesV2, "cli", T0.AddSeconds(1), Ct);
        var v3 = await store.ReplaceAclAsync(RulesV1, "admin", T0.AddSeconds(2), Ct);

        var history = await store.GetAclHistoryAsync(Ct);

        Assert.Equal([v1, v2, v3], history.Select(h => h.Version));
        Assert.Equal(["admin", "cli", "admin"], history.Select(h => h.ChangedBy));
        Assert.Equal([T0, T0.AddSeconds(1), T0.AddSeconds(2)], history.Select(h => h.ChangedAt));
        Assert.Equal(RulesV1, history[0].Rules);
        Assert.Equal(RulesV2, history[1].Rules);
        Assert.Equal(RulesV1, history[2].Rules);
    }

    [Fact]
    public async Task ACL_rules_keep_their_text_exactly()
    {
        await using var store = OpenStore();
        AclRule[] rules =
        [
            new("user-\"quoted\"", "é-漢字-*", "\U0001F600", false),
            new(new string('u', EventRules.MaxUserUuidLength), new string('i', EventRules.MaxItemUuidLength), "a\\b", true),
        ];

        await store.ReplaceAclAsync(rules, "admin", T0, Ct);

        Assert.Equal(rules, (await store.GetAclAsync(Ct)).Rules);
    }
}
