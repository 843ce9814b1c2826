using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Cli;

/// <summary>What the crash tests check after every restart.</summary>
internal static class CrashChecks
{
    /// <summary>
    /// A first run that lets everyone push; returns an admin token, which stays valid across
    /// restarts, so the rounds do not pay for a slow password check each.
    /// </summary>
    public static async Task<(string Token, string AdminUuid)> PrepareAsync(CliWorkspace workspace)
    {
        await using var server = await workspace.ServeAsync();
        var token = await server.LoginAsync("admin", workspace.AdminPassword);
        var admin = server.NewClient(token);
        await admin.PutAclAsync(new AclRule("*", "*", "*", true));
        var adminUuid = await admin.AdminUuidAsync();
        Assert.Equal(0, await server.StopAsync());
        return (token, adminUuid);
    }

    /// <summary>
    /// Every answered event is in the history exactly once, an unanswered batch is there whole or
    /// not at all, nothing else is, and the cursor never went back.
    /// </summary>
    public static async Task AssertHistoryAsync(HttpClient client, List<Event> answered, long highestCursor, string when,
        List<Event[]>? unanswered = null)
    {
        using var response = await client.GetAsync("/events", TestContext.Current.CancellationToken);
        var history = await response.ReadEventsAsync();
        var cursor = long.Parse(response.Headers.GetValues("Sync-Cursor").Single());
        var uuids = history.Select(e => e.Uuid).ToList();
        Assert.True(uuids.Distinct().Count() == uuids.Count, $"{when}: an event is in the history twice");
        var present = uuids.ToHashSet();
        var missing = answered.Where(e => !present.Contains(e.Uuid)).ToList();
        Assert.True(missing.Count == 0, $"{when}: {missing.Count} answered events are gone");
        var expected = answered.Concat((unanswered ?? []).Where(b => present.Contains(b[0].Uuid)).SelectMany(b => b)).ToList();
        foreach (var batch in unanswered ?? [])
            Assert.True(batch.All(e => present.Contains(e.Uuid)) || batch.All(e => !present.Contains(e.Uuid)), $"{when}: half a push survived");
        Assert.Equal(expected.OrderBy(e => e.Timestamp).ThenBy(e => e.Uuid, StringComparer.Ordinal).ToList(), history);
        Assert.True(cursor >= highestCursor, $"{when}: the cursor went back from {highestCursor} to {cursor}");
        Assert.True(cursor >= history.Count, $"{when}: cursor {cursor} is below the {history.Count} events stored");
    }
}
