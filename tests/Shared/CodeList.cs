using System.Text.Json;

namespace SimpleSync.Testing;

/// <summary>
/// docs/codes.json, the one list of codes that the server and every SDK test against, as the
/// test projects read it (the file is copied next to each test assembly).
/// </summary>
internal sealed record CodeList(
    IReadOnlyList<CodeList.Error> Errors,
    IReadOnlyList<CodeList.Error> ClientErrors,
    IReadOnlyList<string> PushStatuses,
    IReadOnlyList<string> Rejections,
    IReadOnlyList<string> StreamEnds)
{
    /// <summary>An error code; <paramref name="Statuses"/> is empty for the codes a client raises itself.</summary>
    internal sealed record Error(string Code, IReadOnlyList<int> Statuses, bool Transient);

    public static CodeList Load { get; } = Read(Path.Combine(AppContext.BaseDirectory, "codes.json"));

    private static CodeList Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        return new CodeList(
            ErrorsOf(root, "errors"),
            ErrorsOf(root, "clientErrors"),
            [.. root.GetProperty("pushStatuses").EnumerateArray().Select(s => s.GetString()!)],
            Names(root, "rejections", "reason"),
            Names(root, "streamEnds", "reason"));
    }

    private static List<Error> ErrorsOf(JsonElement root, string list) =>
    [
        .. root.GetProperty(list).EnumerateArray().Select(e => new Error(
            e.GetProperty("code").GetString()!,
            e.TryGetProperty("statuses", out var statuses) ? [.. statuses.EnumerateArray().Select(s => s.GetInt32())] : [],
            e.GetProperty("transient").GetBoolean())),
    ];

    private static List<string> Names(JsonElement root, string list, string name) =>
        [.. root.GetProperty(list).EnumerateArray().Select(e => e.GetProperty(name).GetString()!)];
}
