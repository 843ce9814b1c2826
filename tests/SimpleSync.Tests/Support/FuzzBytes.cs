using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace SimpleSync.Tests.Support;

/// <summary>
/// Byte-level damage for the fuzzer (flips, insertions, deletions, truncations, invalid UTF-8)
/// and the compressed forms of a body: valid gzip, deflate and brotli, truncated or corrupted
/// gzip, bytes that are not gzip at all, and gzip bombs.
/// </summary>
internal static class FuzzBytes
{
    private static readonly byte[][] Insertions =
    [
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "\""u8.ToArray(),
        "\\"u8.ToArray(), "\\u"u8.ToArray(), "\\ud800"u8.ToArray(), "null"u8.ToArray(), "1e999"u8.ToArray(), "\n"u8.ToArray(),
        [0], [0xEF, 0xBB, 0xBF], [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80],
        [0xF0, 0x9F, 0x98], [0xC3],
    ];

    /// <summary>Invalid UTF-8: a stray continuation byte, overlong forms, an encoded surrogate, a cut sequence, bytes never used.</summary>
    private static readonly byte[][] InvalidUtf8 =
        [[0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xFE]];

    /// <summary>One to three kinds of damage, at or after <paramref name="from"/> only.</summary>
    public static byte[] Mutate(Random r, byte[] input, int from = 0)
    {
        var bytes = new List<byte>(input);
        for (var n = r.Next(1, 4); n > 0; n--)
        {
            var at = r.Next(from, bytes.Count + 1);
            var last = Math.Min(at, bytes.Count - 1);
            switch (r.Next(8))
            {
                case 0 when last >= from: bytes[last] ^= (byte)(1 << r.Next(8)); break;
                case 1 when last >= from: bytes[last] = (byte)r.Next(256); break;
                case 2: bytes.InsertRange(at, r.One(Insertions)); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, r.Next(1, 9)).Select(_ => (byte)r.Next(256))); break;
                case 4: bytes.RemoveRange(at, Math.Min(r.Next(1, 16), bytes.Count - at)); break;
                case 5: bytes.RemoveRange(at, bytes.Count - at); break;
                case 6: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(r.Next(1, 32), bytes.Count - at))); break;
                default: InsertInString(r, bytes, at); break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Invalid UTF-8 just inside the first string that starts at or after <paramref name="at"/>.</summary>
    private static void InsertInString(Random r, List<byte> bytes, int at)
    {
        var quote = bytes.IndexOf((byte)'"', at);
        bytes.InsertRange(quote < 0 ? at : quote + 1, r.One(InvalidUtf8));
    }

    /// <summary>Whether any strict JSON reader could take these bytes as one value (a leading BOM forgiven).</summary>
    public static bool IsWellFormedJson(byte[] bytes)
    {
        var span = bytes.AsMemory();
        if (span.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            span = span[3..];
        try
        {
            using var document = JsonDocument.Parse(span);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static byte[] Gzip(byte[] plain) => Compress(plain, stream => new GZipStream(stream, CompressionLevel.Fastest));

    /// <summary>HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), deflate data behind a small header.</summary>
    public static byte[] Deflate(byte[] plain) => Compress(plain, stream => new ZLibStream(stream, CompressionLevel.Fastest));

    public static byte[] RawDeflate(byte[] plain) => Compress(plain, stream => new DeflateStream(stream, CompressionLevel.Fastest));

    public static byte[] Brotli(byte[] plain) => Compress(plain, stream => new BrotliStream(stream, CompressionLevel.Fastest));

    private static byte[] Compress(byte[] plain, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressed = compressor(output))
            compressed.Write(plain);
        return output.ToArray();
    }

    /// <summary>
    /// Puts <paramref name="request"/>'s body in a compressed form, or claims one it is not in.
    /// Request decompression happens before any of our code reads the body, so every kind of
    /// broken input here must still end as a 4xx.
    /// </summary>
    public static void Encode(Random r, FuzzRequest request)
    {
        var plain = request.Body!;
        request.Plain = plain;
        (request.ContentEncoding, request.Body, var how) = r.Next(13) switch
        {
            0 or 1 => ("gzip", Gzip(plain), "valid gzip"),
            2 => ("gzip", Cut(r, Gzip(plain)), "truncated gzip"),
            3 => ("gzip", Corrupt(r, Gzip(plain)), "corrupted gzip"),
            4 => ("gzip", plain, "not gzip"),
            5 => ("deflate", Deflate(plain), "valid deflate"),
            6 => ("br", Brotli(plain), "valid brotli"),
            7 => r.Next(2) == 0 ? (r.One(["br", "deflate"]), plain, "not compressed") : ("deflate", RawDeflate(plain), "raw deflate, not zlib"),
            8 => ("gzip, gzip", Gzip(Gzip(plain)), "gzip twice"),
            9 => ("gzip", Gzip(Gzip(plain)), "gzip twice, declared once"),
            10 => (r.One(["x-gzip", "GZIP", "identity", "compress", "zstd", "gzip;q=1", "*", "gzip, identity", "chunked"]),
                r.Next(2) == 0 ? plain : Gzip(plain), "odd encoding name"),
            11 => ("gzip", [.. Gzip(plain), .. Gzip(plain)], "two gzip members"),
            _ => ("gzip", [.. Gzip(plain), .. "garbage"u8], "gzip with trailing garbage"),
        };
        request.Kind += $", {how} ({request.ContentEncoding})";
    }

    private static byte[] Cut(Random r, byte[] bytes) => bytes[..r.Next(bytes.Length)];

    private static byte[] Corrupt(Random r, byte[] bytes)
    {
        var copy = bytes.ToArray();
        // Compressing nothing gives nothing here, not even a gzip header.
        for (var n = copy.Length == 0 ? 0 : r.Next(1, 4); n > 0; n--)
            copy[r.Next(copy.Length)] ^= (byte)(1 << r.Next(8));
        return copy;
    }

    private const int BombBytes = (16 * 1024 * 1024) + 1024;

    /// <summary>
    /// About 16 KB of gzip that inflates past the 16 MiB body limit: <c>[1,1,1,…]</c> (refused at
    /// event 10,001), or <see cref="FuzzAdminBodies.UnknownFirstMember"/> and then spaces (refused
    /// at the body limit, or the smaller limits of logins and admin bodies). Made once and shared.
    /// </summary>
    public static readonly Lazy<byte[]> OnesBomb = new(() => Bomb("[", "1,", "1]"));

    public static readonly Lazy<byte[]> SpacesBomb = new(() => Bomb(FuzzAdminBodies.UnknownFirstMember, " ", "\"x\":0}"));

    private static byte[] Bomb(string head, string filler, string tail)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(Encoding.ASCII.GetBytes(head));
            var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(filler, 64 * 1024 / filler.Length)));
            for (var written = 0; written < BombBytes; written += block.Length)
                gzip.Write(block);
            gzip.Write(Encoding.ASCII.GetBytes(tail));
        }
        return output.ToArray();
    }

    /// <summary>A body one byte past the 16 MiB limit, uncompressed: an array of spaces. Made once and shared.</summary>
    public static readonly Lazy<byte[]> Oversized = new(() =>
    {
        var bytes = new byte[(16 * 1024 * 1024) + 1];
        bytes.AsSpan().Fill((byte)' ');
        bytes[0] = (byte)'[';
        bytes[^1] = (byte)']';
        return bytes;
    });
}
