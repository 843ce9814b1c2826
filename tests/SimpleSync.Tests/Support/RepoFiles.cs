using System.Text.Json.Nodes;

namespace SimpleSync.Tests.Support;

/// <summary>Files of the repository the tests check the server against, such as docs/codes.json.</summary>
internal static class RepoFiles
{
    /// <summary>The directory holding SimpleSync.slnx, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static JsonNode Codes() => JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "docs", "codes.json")))!;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SimpleSync.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no SimpleSync.slnx above {AppContext.BaseDirectory}");
    }
}
