using System.Net;
using System.Net.Http.Headers;

namespace SimpleSync.Tests.Support;

/// <summary>A JSON body sent in chunks with no Content-Length, so the server learns its size only by reading it.</summary>
internal sealed class StreamingContent : HttpContent
{
    private readonly byte[] _bytes;

    public StreamingContent(byte[] bytes)
    {
        _bytes = bytes;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < _bytes.Length; offset += 1000)
        {
            await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(1000, _bytes.Length - offset)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
