using System.Text.RegularExpressions;
using SimpleSync.Storage;

namespace SimpleSync.Tests.Storage;

public abstract partial class EventStoreContract
{
    [Fact]
    public async Task The_epoch_is_32_lowercase_hex_digits_and_stays_the_same_across_reopening()
    {
        string epoch;
        await using (var store = OpenStore())
            epoch = store.Epoch;

        await using var reopened = OpenStore();

        Assert.Matches(LowercaseHex32(), epoch);
        Assert.Equal(epoch, reopened.Epoch);
    }

    [Fact]
    public async Task Everything_stored_is_still_there_after_the_store_is_disposed_and_reopened()
    {
        var events = Enumerable.Range(0, 3).Select(i => New((ulong)(100 - i))).ToArray();
        AppendOutcome[] outcomes;
        long aclVersion;
        await using (var store = OpenStore())
        {
            outcomes = await store.AppendAsync(events, Ct);
            await store.CreateUserAsync(Alice, Ct);
            aclVersion = await store.ReplaceAclAsync(RulesV2, "admin", T0, Ct);
        }

        await using var reopened = OpenStore();

        var (highest, history) = await HistoryAsync(reopened);
        Assert.Equal(outcomes.Max(o => o.Seq), highest);
        Assert.Equal(events.Reverse(), history);
        Assert.Equal(Alice, await reopened.FindUserByNameAsync("alice", Ct));
        var acl = await reopened.GetAclAsync(Ct);
        Assert.Equal(aclVersion, acl.Version);
        Assert.Equal("admin", acl.ChangedBy);
        Assert.Equal(T0, acl.ChangedAt);
        Assert.Equal(RulesV2, acl.Rules);
        Assert.Equal(aclVersion, await reopened.GetAclVersionAsync(Ct));
    }

    [Fact]
    public async Task After_reopening_a_retried_event_is_still_a_duplicate_and_new_seqs_keep_growing()
    {
        var e = New();
        long seq;
        await using (var store = OpenStore())
            seq = Assert.Single(await store.AppendAsync([e], Ct)).Seq;

        await using var reopened = OpenStore();
        var outcomes = await reopened.AppendAsync([e, Changed(e, "payload") with { Uuid = Guid.CreateVersion7().ToString() }], Ct);

        Assert.Equal(new AppendOutcome(AppendStatus.Duplicate, seq), outcomes[0]);
        Assert.Equal(AppendStatus.Accepted, outcomes[1].Status);
        Assert.True(outcomes[1].Seq > seq);
        Assert.Equal(new AppendOutcome(AppendStatus.Conflict, 0), Assert.Single(await reopened.AppendAsync([Changed(e, "timestamp")], Ct)));
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex LowercaseHex32();
}
