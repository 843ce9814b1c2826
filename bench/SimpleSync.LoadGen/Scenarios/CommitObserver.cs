namespace SimpleSync.LoadGen.Scenarios;

/// <summary>
/// Counts the server's commits from outside: the live stream sends one message per committed
/// batch, so one extra stream from cursor 0 sees every commit and how many events it held. It
/// costs the server one more serialisation of every event, so it is off for headline figures.
/// </summary>
internal sealed class CommitObserver : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly MeasureWindow _window;
    private Task _reading = Task.CompletedTask;
    private long _commits, _events;

    private CommitObserver(HttpResponseMessage response, MeasureWindow window)
    {
        _response = response;
        _window = window;
    }

    public long Commits => Interlocked.Read(ref _commits);

    public long Events => Interlocked.Read(ref _events);

    public static async Task<CommitObserver> StartAsync(BenchHttp http, string token, MeasureWindow window, CancellationToken ct)
    {
        var response = await http.OpenAsync(token, "/sync/stream?cursor=0", ct);
        var observer = new CommitObserver(response, window);
        var stream = await response.Content.ReadAsStreamAsync(ct);
        observer._reading = ReadQuietlyAsync(stream, observer.OnMessage, observer._stop.Token);
        return observer;
    }

    private static async Task ReadQuietlyAsync(Stream stream, SseMessageHandler onMessage, CancellationToken ct)
    {
        try
        {
            await SseReader.ReadAsync(stream, onMessage, ct);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // Closed by us at the end of the run.
        }
    }

    private void OnMessage(ReadOnlySpan<byte> message, long arrivedAt)
    {
        if (!SseReader.IsEvents(message) || !_window.Contains(arrivedAt))
            return;
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _events, message.Count("{\"uuid\":"u8));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _response.Dispose();
        _stop.Dispose();
    }
}
