using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Support;

internal static class TestEvents
{
    private static long _clock = 1_700_000_000_000;

    /// <summary>A valid event for <paramref name="user"/>; timestamps increase from call to call unless given.</summary>
    public static Event New(string user, string item = "task-1", string action = "create", string payload = "{}", ulong? timestamp = null) =>
        new(Guid.CreateVersion7().ToString(), timestamp ?? (ulong)Interlocked.Increment(ref _clock), user, item, action, payload);

    public static string ToJson(IEnumerable<Event> events)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var e in events)
                EventJson.Write(json, e);
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The events as the export format writes them: one JSON object a line.</summary>
    public static string JsonLines(IEnumerable<Event> events)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
                EventJson.Write(json, e);
            text.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        }
        return text.ToString();
    }

    public static StringContent Content(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PushAsync(this HttpClient client, params Event[] events) =>
        client.PostAsync("/events", Content(ToJson(events)), TestContext.Current.CancellationToken);

    public static async Task<List<Event>> ReadEventsAsync(this HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var parsed = EventJson.ReadArray(body, int.MaxValue);
        Assert.All(parsed, p => Assert.Null(p.Rejection));
        return parsed.Select(p => p.Event!).ToList();
    }

    public static async Task<List<Event>> GetHistoryAsync(this HttpClient client, string query = "")
    {
        using var response = await client.GetAsync($"/events{query}", TestContext.Current.CancellationToken);
        return await response.ReadEventsAsync();
    }

    public static JsonContent Json<T>(T value) => JsonContent.Create(value);
}
