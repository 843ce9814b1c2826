using System.Text;

namespace SimpleSync.Protocol.Tests;

/// <summary>
/// Builds event JSON by hand from raw field values, so that tests can write what a serializer
/// never would: duplicated names, wrong types, escapes, numbers of any shape.
/// </summary>
internal static class EventText
{
    public const string Uuid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    /// <summary>The raw JSON values of a valid event, in wire order.</summary>
    public static IReadOnlyList<(string Name, string Raw)> ValidFields { get; } =
    [
        ("uuid", $"\"{Uuid}\""),
        ("timestamp", "1700000000000"),
        ("userUuid", "\"user-1\""),
        ("itemUuid", "\"task-1\""),
        ("action", "\"create\""),
        ("payload", "\"{}\""),
    ];

    public static Event ValidEvent { get; } = new(Uuid, 1_700_000_000_000, "user-1", "task-1", "create", "{}");

    public static string Valid => Object(ValidFields);

    public static string With(string field, string raw) =>
        Object(ValidFields.Select(f => f.Name == field ? (f.Name, raw) : f));

    public static string Without(string field) => Object(ValidFields.Where(f => f.Name != field));

    /// <summary>The valid event plus one more member; <paramref name="name"/> is raw JSON string content.</summary>
    public static string Plus(string name, string raw) => Object(ValidFields.Append((name, raw)));

    public static string Object(IEnumerable<(string Name, string Raw)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{f.Raw}")) + "}";

    /// <summary>A JSON string literal whose content is <paramref name="count"/> copies of <paramref name="unit"/>.</summary>
    public static string Repeat(string unit, int count) => "\"" + string.Concat(Enumerable.Repeat(unit, count)) + "\"";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
