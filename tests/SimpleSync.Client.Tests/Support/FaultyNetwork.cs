namespace SimpleSync.Client.Tests.Support;

/// <summary>
/// A network fault on the client's side of a real connection: when armed, it delivers the
/// request to the server and then drops the answer, as a connection lost after the server
/// committed would. The server and the SDK are untouched.
/// </summary>
internal sealed class FaultyNetwork() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _answersToLose;

    /// <summary>Drops the answers of the next <paramref name="count"/> requests after the server handled them.</summary>
    public void LoseAnswers(int count) => Interlocked.Exchange(ref _answersToLose, count);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Volatile.Read(ref _answersToLose) > 0 && Interlocked.Decrement(ref _answersToLose) >= 0)
        {
            // Read the whole answer first, so the server has finished the request, then lose it.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            response.Dispose();
            throw new HttpRequestException("the connection was reset before the answer arrived (injected)");
        }
        return response;
    }
}
