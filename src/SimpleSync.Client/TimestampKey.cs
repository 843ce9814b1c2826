namespace SimpleSync.Client;

/// <summary>
/// Event timestamps are unsigned 64-bit and SQLite integers signed. Flipping the top bit maps
/// 0…2^64−1 onto long.MinValue…long.MaxValue keeping the order, so the store's integer order is
/// timestamp order and an index on it reads the history in order. The server stores its
/// timestamps the same way.
/// </summary>
internal static class TimestampKey
{
    private const ulong SignBit = 0x8000_0000_0000_0000;

    public static long ToKey(ulong timestamp) => unchecked((long)(timestamp ^ SignBit));

    public static ulong FromKey(long key) => unchecked((ulong)key ^ SignBit);
}
