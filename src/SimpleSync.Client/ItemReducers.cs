using System.Text.Json;
using System.Text.Json.Nodes;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>Ready-made reducers for <see cref="SyncClient.Items{TState}"/>.</summary>
public static class ItemReducers
{
    /// <summary>
    /// Merges JSON object payloads member by member: a later event's member replaces an earlier
    /// one's, members it does not name are kept. A payload that is not a JSON object leaves the
    /// state as it was (the item still exists). The state is a new object each time, so states
    /// handed out earlier never change.
    /// </summary>
    public static JsonObject MergeJsonObjects(JsonObject? state, Event e)
    {
        var merged = state?.DeepClone().AsObject() ?? [];
        JsonNode? payload;
        try
        {
            payload = JsonNode.Parse(e.Payload);
        }
        catch (JsonException)
        {
            return merged;
        }
        if (payload is JsonObject members)
        {
            foreach (var (name, value) in members)
                merged[name] = value?.DeepClone();
        }
        return merged;
    }
}
