using System.Buffers.Binary;

namespace SimpleSync.Tests.Storage;

/// <summary>
/// Reads a SQLite write-ahead log as the file format documents it (sqlite.org/fileformat.html,
/// "WAL File Format"), to count committed transactions from outside the server: every commit
/// ends with exactly one frame whose header carries the database size, and frames of the
/// current log generation carry the salts of the log header.
/// </summary>
internal static class WalFile
{
    private const int HeaderSize = 32;
    private const int FrameHeaderSize = 24;

    /// <param name="Salts">Changes whenever the log is reset; counts from different generations do not compare.</param>
    /// <param name="Commits">Transactions committed in this generation of the log.</param>
    public readonly record struct State(ulong Salts, int Commits);

    public static State Read(string databasePath)
    {
        var path = databasePath + "-wal";
        if (!File.Exists(path))
            return new State(0, 0);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var header = new byte[HeaderSize];
        if (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
            return new State(0, 0);
        var pageSize = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
        var salts = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(16));
        var frame = new byte[FrameHeaderSize + pageSize];
        var commits = 0;
        while (stream.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false) == frame.Length)
        {
            // A frame left over from an earlier generation ends the current one.
            if (BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(8)) != salts)
                break;
            if (BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)) != 0)
                commits++;
        }
        return new State(salts, commits);
    }
}
