using System.Globalization;

namespace SimpleSync.Storage.Postgres;

/// <summary>
/// Listens on <see cref="PostgresWriter.Channel"/> for the commits of every server on the
/// database (this one's too), on a connection of its own, started by the first wait. Each
/// notification carries only the commit's highest seq; the live feed reads the events. When the
/// connection is lost, notifications may have been missed meanwhile, so every (re)connection
/// announces <see cref="long.MaxValue"/>: "read whatever is new". This server's own commits are
/// not announced: the live feed has them from the writer already, and reading them back would
/// double its reads (a commit whose answer was lost with its connection is found by the feed's
/// poll or next read instead).
/// </summary>
/// <param name="ownWriter">The backend of this server's writer, whose notifications are its own commits.</param>
internal sealed class PostgresListener(PostgresDatabase database, Func<int> ownWriter) : IAsyncDisposable
{
    // A quiet connection is checked this often, so one cut without a word is noticed.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private long _announced;

    public async Task<long> WaitAsync(CancellationToken ct)
    {
        lock (_gate)
            _loop ??= Task.Run(ListenAsync, CancellationToken.None);
        await _signal.WaitAsync(ct);
        return Interlocked.Exchange(ref _announced, 0);
    }

    private void Announce(long seq)
    {
        var seen = Volatile.Read(ref _announced);
        while (seq > seen)
        {
            var previous = Interlocked.CompareExchange(ref _announced, seq, seen);
            if (previous == seen)
                break;
            seen = previous;
        }
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the waiter reads the highest seq announced when it wakes.
        }
    }

    private async Task ListenAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenAsync(_stop.Token);
                connection.Notification += (_, e) =>
                {
                    if (e.PID != ownWriter() && long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                        Announce(seq);
                };
                await using (var listen = PostgresDatabase.Command(connection, $"LISTEN {PostgresWriter.Channel}"))
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                Announce(long.MaxValue);
                backoff = TimeSpan.FromMilliseconds(250);
                while (true)
                {
                    if (!await connection.WaitAsync(KeepAlive, _stop.Token))
                    {
                        await using var ping = PostgresDatabase.Command(connection, "SELECT 1");
                        await ping.ExecuteNonQueryAsync(_stop.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The database is down or restarting: try again, less often each time. The live
                // feed's poll covers the meantime.
                try
                {
                    await Task.Delay(backoff, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
            await _loop;
        _stop.Dispose();
    }
}
