namespace SimpleSync.Storage;

/// <summary>
/// Event timestamps are unsigned 64-bit, but SQLite and PostgreSQL integers are signed. Flipping
/// the top bit maps 0…2^64−1 onto long.MinValue…long.MaxValue keeping the order, so the database's
/// integer order is the history order and an index on it serves every read. The .NET SDK's
/// local store compiles this same file in (SimpleSync.Client.csproj) and orders its copy the same way.
/// </summary>
internal static class TimestampKey
{
    private const ulong SignBit = 0x8000_0000_0000_0000;

    public static long ToKey(ulong timestamp) => unchecked((long)(timestamp ^ SignBit));

    public static ulong FromKey(long key) => unchecked((ulong)key ^ SignBit);
}
