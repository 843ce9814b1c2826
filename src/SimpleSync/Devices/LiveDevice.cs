namespace SimpleSync.Devices;

/// <summary>
/// The device of an open live stream. The stream writes the seq it has sent with a plain store
/// (a stream may send hundreds of messages a second, and a server may hold thousands of streams:
/// no lock on that path); <see cref="SyncHealth"/> notes it at each flush when it moved, and once
/// more when the stream ends.
/// </summary>
internal sealed class LiveDevice(SyncHealth health, DeviceCaller caller) : IDisposable
{
    private long _reached = -1;
    private long _noted = -1;

    public DeviceCaller Caller => caller;

    /// <summary>The stream has sent everything up to <paramref name="seq"/>.</summary>
    public void Reached(long seq) => Volatile.Write(ref _reached, seq);

    /// <summary>The seq reached, when it moved since the last call; false when it did not.</summary>
    public bool TakeMove(out long seq)
    {
        seq = Volatile.Read(ref _reached);
        return seq >= 0 && Interlocked.Exchange(ref _noted, seq) != seq;
    }

    public void Dispose() => health.Unfollow(this);
}
