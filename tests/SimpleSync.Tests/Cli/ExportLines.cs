using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Cli;

/// <summary>What <c>export</c> should print for a history, and what it did print, as events to compare.</summary>
internal static class ExportLines
{
    /// <summary>History order: timestamp, then uuid as ordinal text.</summary>
    public static List<Event> HistoryOrder(IEnumerable<Event> events) =>
        [.. events.OrderBy(e => e.Timestamp).ThenBy(e => e.Uuid, StringComparer.Ordinal)];

    /// <summary>One event per line of JSON Lines; a line that is not a valid event fails the test.</summary>
    public static List<Event> Parse(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            reader.Read();
            var parsed = EventJson.ReadOne(ref reader, int.MaxValue);
            Assert.Null(parsed.Rejection);
            return parsed.Event!;
        })];
}
