namespace SimpleSync.Client;

/// <summary>
/// The body of the live stream, read through a count of the bytes of the current message (the
/// lines since the last blank line). SseParser buffers a whole message, however long, before it
/// hands it over; this stops the read, with <see cref="ClientErrorCodes.BadResponse"/>, as soon
/// as a message passes the cap, so a stream without blank lines cannot fill the memory.
/// Line ends are those of the format: CRLF, LF or CR.
/// </summary>
internal sealed class SseMessageCap(Stream inner, int maxMessageBytes) : Stream
{
    private long _messageBytes;
    private bool _lineEmpty = true;
    private bool _afterCr;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Count(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Count(buffer.AsSpan(offset, read));
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    private void Count(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
            var text = end < 0 ? bytes.Length : end;
            if (text > 0)
            {
                _afterCr = false;
                _lineEmpty = false;
                _messageBytes += text;
                if (_messageBytes > maxMessageBytes)
                {
                    throw new SyncException(ClientErrorCodes.BadResponse,
                        $"a live stream message is larger than the limit of {maxMessageBytes} bytes ({nameof(SyncClientOptions)}.{nameof(SyncClientOptions.MaxStreamMessageBytes)})");
                }
            }
            if (end < 0)
                return;
            if (bytes[end] == '\n' && _afterCr && text == 0)
            {
                // The LF of a CRLF: the line already ended at the CR.
                _afterCr = false;
            }
            else
            {
                if (_lineEmpty)
                    _messageBytes = 0;
                _lineEmpty = true;
                _afterCr = bytes[end] == '\r';
            }
            bytes = bytes[(end + 1)..];
        }
    }
}
