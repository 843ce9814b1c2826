using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace SimpleSync.WebConsole;

/// <summary>One file of the console, read from the assembly once, with what its answer needs.</summary>
internal sealed record ConsoleFile(byte[] Content, string ContentType, EntityTagHeaderValue ETag)
{
    /// <summary>The ETag header's value, made once.</summary>
    public string ETagText { get; } = ETag.ToString();
}

/// <summary>
/// The console's static files, embedded in the executable (Console/www/**, resources named
/// <c>SimpleSync.Console/&lt;path&gt;</c>) so that a server without internet access, or started
/// from anywhere, serves them. Read once; a request can only name one of these, never a path on disk.
/// </summary>
internal static class ConsoleFiles
{
    private const string Prefix = "SimpleSync.Console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Path under /console/ (e.g. <c>pages/users.js</c>) → file.</summary>
    public static FrozenDictionary<string, ConsoleFile> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            // %(RecursiveDir) uses the build machine's separator.
            var name = resource[Prefix.Length..].Replace('\\', '/');
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            files[name] = new ConsoleFile(content, ContentTypeOf(name), ETagOf(content));
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) =>
        ContentTypes.TryGetValue(Path.GetExtension(name), out var type) ? type : "application/octet-stream";

    /// <summary>
    /// Weak, because response compression sends other bytes for the same file under the same tag:
    /// a weak tag still lets If-None-Match answer 304, which is all a browser needs here.
    /// </summary>
    private static EntityTagHeaderValue ETagOf(byte[] content) =>
        new($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16))}\"", isWeak: true);
}
