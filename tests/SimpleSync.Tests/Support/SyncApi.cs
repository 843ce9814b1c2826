using System.Net;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Support;

/// <summary>Calls of the cursor protocol, answers parsed strictly with the protocol's own JSON metadata.</summary>
internal static class SyncApi
{
    public static async Task<SyncResponse> PullAsync(this HttpClient client, long cursor, int? limit = null)
    {
        var query = limit is null ? $"?cursor={cursor}" : $"?cursor={cursor}&limit={limit}";
        using var response = await client.GetAsync($"/sync{query}", TestContext.Current.CancellationToken);
        return await ReadAsync(response);
    }

    public static async Task<SyncResponse> SyncAsync(this HttpClient client, long cursor, params Event[] events)
    {
        using var response = await client.PostAsync("/sync", TestEvents.Content(Body(cursor, events)), TestContext.Current.CancellationToken);
        return await ReadAsync(response);
    }

    public static string Body(long cursor, IEnumerable<Event> events) =>
        $"{{\"cursor\":{cursor},\"events\":{TestEvents.ToJson(events)}}}";

    public static async Task<SyncResponse> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.SyncResponse)!;
    }

    /// <summary>Follows the cursor from <paramref name="cursor"/> until <c>more</c> is false.</summary>
    public static async Task<(List<Event> Events, long Cursor)> PullAllAsync(this HttpClient client, long cursor, int limit)
    {
        var events = new List<Event>();
        while (true)
        {
            var page = await client.PullAsync(cursor, limit);
            Assert.True(page.Events.Count <= limit);
            events.AddRange(page.Events);
            Assert.True(page.Cursor >= cursor, "the cursor never goes back");
            cursor = page.Cursor;
            if (!page.More)
                return (events, cursor);
        }
    }
}
