using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SimpleSync.Protocol;
using SimpleSync.Tests.Cli;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

/// <summary>
/// What one authenticated user's push costs the server is bounded by what a push may hold, not by
/// what the client sends. Measured on the real executable, whose memory is its own.
/// </summary>
public sealed class PushMemoryTests
{
    /// <summary>16 MiB of <c>[1,1,1,…]</c> (just under the body limit), gzip-compressed to about 16 KB.</summary>
    private static byte[] GzipBomb(string prefix, string suffix)
    {
        var body = new MemoryStream();
        using (var gzip = new GZipStream(body, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(Encoding.ASCII.GetBytes(prefix));
            var ones = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("1,", 64 * 1024)));
            var total = 16 * 1024 * 1024 - prefix.Length - suffix.Length - 1;
            for (var written = 0; written < total; written += ones.Length)
                gzip.Write(ones, 0, Math.Min(ones.Length, total - written));
            gzip.Write(Encoding.ASCII.GetBytes("1" + suffix));
        }
        return body.ToArray();
    }

    private static long Kilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public async Task Four_gzip_bombs_at_once_are_413_each_raise_server_memory_by_less_than_100_MB_and_store_nothing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads the server's peak memory from /proc");
        using var workspace = new CliWorkspace();
        await using var server = await workspace.ServeAsync();
        var admin = await server.AdminAsync(workspace);
        await admin.PutAclAsync(new AclRule("*", "*", "*", true));
        Assert.Equal(0, (await admin.PullAsync(0)).Cursor);
        var bombs = new[]
        {
            ("/events", GzipBomb("[", "]")), ("/events", GzipBomb("[", "]")),
            ("/sync", GzipBomb("{\"cursor\":0,\"events\":[", "]}")), ("/sync", GzipBomb("{\"events\":[", "],\"cursor\":0}")),
        };
        Assert.All(bombs, b => Assert.True(b.Item2.Length < 64 * 1024, $"the bomb is {b.Item2.Length} bytes on the wire"));
        // From here on the kernel tracks the server's peak resident memory afresh.
        var before = Kilobytes(server.Pid, "VmRSS");
        await File.WriteAllTextAsync($"/proc/{server.Pid}/clear_refs", "5", TestContext.Current.CancellationToken);

        var answers = await Task.WhenAll(bombs.Select(async bomb =>
        {
            var content = new ByteArrayContent(bomb.Item2);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            content.Headers.ContentEncoding.Add("gzip");
            using var response = await admin.PostAsync(bomb.Item1, content, TestContext.Current.CancellationToken);
            await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
            return response.StatusCode;
        }));

        var peak = Kilobytes(server.Pid, "VmHWM");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, a));
        Assert.True(peak - before < 100 * 1024, $"the server's memory rose from {before / 1024} MB to a peak of {peak / 1024} MB");
        Assert.Equal(0, (await admin.PullAsync(0)).Cursor);
    }
}
