using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

public sealed partial class SyncClient
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Follows the server's live stream (<c>GET /sync/stream</c>) and applies each event as it
    /// arrives, raising <see cref="Changed"/>, until <paramref name="cancellationToken"/> is
    /// cancelled (then it throws <see cref="OperationCanceledException"/>). Before each connection
    /// it runs <see cref="SyncAsync"/>, so it pushes what is pending, notices a restored server,
    /// and resumes from the local cursor (sent as <c>Last-Event-ID</c>): nothing is missed or
    /// applied twice. Network failures and server restarts are retried with a growing, jittered
    /// delay; <see cref="Status"/> shows the last error meanwhile.
    /// </summary>
    /// <exception cref="SyncException">A failure a retry cannot fix, such as a 401 (login required).</exception>
    /// <exception cref="InvalidOperationException">This client is already watching.</exception>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _watching, 1) == 1)
            throw new InvalidOperationException("this client is already watching");
        RaiseChanged();
        try
        {
            var delay = FirstRetryDelay;
            async Task BackOffAsync(string why)
            {
                var wait = delay * (0.5 + Random.Shared.NextDouble());
                _logger.LogInformation("{Why}; reconnecting in {Delay} ms", why, (int)wait.TotalMilliseconds);
                await Task.Delay(wait, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await SyncAsync(cancellationToken);
                    if (await FollowStreamAsync(() => delay = FirstRetryDelay, cancellationToken))
                        continue;
                    // The stream served another history than the sync before it: sync again, not at once.
                    await BackOffAsync("the live stream is of another epoch than the sync before it");
                }
                catch (SyncException ex) when (ex.IsTransient)
                {
                    _lastError = ex;
                    RaiseChanged();
                    await BackOffAsync($"the live stream failed ({ex.Code})");
                }
                catch (SyncException ex)
                {
                    // A failure of the stream itself (a 401, a malformed message) shows in Status as a failed sync does.
                    Failed(ex);
                    throw;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _watching, 0);
            RaiseChanged();
        }
    }

    /// <summary>
    /// Reads one connection of the stream until the server ends it; false when its hello names
    /// another epoch than the local one (then nothing of it is applied). Network failures become
    /// <see cref="ClientErrorCodes.Network"/>; anything the protocol does not allow, including a
    /// message past <see cref="SyncClientOptions.MaxStreamMessageBytes"/>, <see cref="ClientErrorCodes.BadResponse"/>.
    /// </summary>
    private async Task<bool> FollowStreamAsync(Action connected, CancellationToken ct)
    {
        var meta = _store.ReadMeta();
        var token = meta.Token ?? throw new SyncException(ClientErrorCodes.LoginRequired, "log in before watching");
        using var response = await _api.OpenStreamAsync(token, meta.Cursor, meta.Epoch, ct);
        try
        {
            await using var body = new SseMessageCap(await response.Content.ReadAsStreamAsync(ct), _options.MaxStreamMessageBytes);
            var parser = SseParser.Create(body, static (type, data) => type switch
            {
                "events" => JsonSerializer.Deserialize(data, ProtocolJsonContext.Default.ListEvent),
                "hello" => JsonSerializer.Deserialize(data, ProtocolJsonContext.Default.StreamHello),
                _ => (object?)null,
            });
            await using var messages = parser.EnumerateAsync(ct).GetAsyncEnumerator(ct);
            var live = new LiveBatch(meta.Cursor);
            try
            {
                return await ReadMessagesAsync(messages, live, meta.Epoch, connected);
            }
            finally
            {
                // What arrived before the stream ended or broke is as good as ever.
                ApplyLive(live);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new SyncException(ClientErrorCodes.Network, $"the live stream broke: {ex.Message}", innerException: ex);
        }
        catch (JsonException ex)
        {
            throw new SyncException(ClientErrorCodes.BadResponse, $"the live stream sent what the protocol does not: {ex.Message}",
                innerException: ex);
        }
    }

    /// <summary>
    /// Reads messages into <paramref name="live"/> until the stream ends (true) or its hello names
    /// another epoch than <paramref name="epoch"/> (false). Messages that arrived together are
    /// applied together, in one transaction with one <see cref="Changed"/>; a message that still
    /// has to arrive does not hold back those that did.
    /// </summary>
    private async Task<bool> ReadMessagesAsync(IAsyncEnumerator<SseItem<object?>> messages, LiveBatch live, string? epoch,
        Action connected)
    {
        while (true)
        {
            var next = messages.MoveNextAsync();
            if (!next.IsCompleted || live.IsFull)
                ApplyLive(live);
            if (!await next)
                return true;
            var message = messages.Current;
            // The server ended the stream (its reason, epoch_changed among them, needs nothing
            // more here), or it serves another history than the one synced before connecting:
            // either way the sync that precedes the next connection sets things right.
            if (message.EventType == "end")
                return true;
            if (message.EventType == "hello")
            {
                if (message.Data is not StreamHello { Epoch: not null } hello)
                    throw new SyncException(ClientErrorCodes.BadResponse, "the live stream's hello names no epoch");
                if (hello.Epoch != epoch)
                    return false;
                connected();
                continue;
            }
            // Other types are for newer clients; an old one skips them, as the format intends.
            if (message.EventType != "events")
                continue;
            var events = message.Data as List<Event>;
            live.Add(events!, AnswerRules.CheckStreamMessage(events, message.EventId, live.To));
        }
    }

    /// <summary>Applies the live messages gathered in <paramref name="live"/>, if any, and raises <see cref="Changed"/> once for them.</summary>
    private void ApplyLive(LiveBatch live)
    {
        if (live.Events.Count == 0)
            return;
        // The epoch was checked by the sync that preceded this connection, and by hello.
        var added = _store.Apply(live.Events, [], live.From, live.To, epoch: null, syncedAt: null);
        live.Applied();
        RaiseChanged(added);
    }

    /// <summary>Live messages read and not applied yet: their events, and the seqs they cover (after From, up to To).</summary>
    private sealed class LiveBatch(long cursor)
    {
        // A page's worth: a burst of messages is applied in pieces the size of a sync's.
        private const int MaxEvents = 10_000;

        public List<Event> Events { get; private set; } = [];
        public long From { get; private set; } = cursor;
        public long To { get; private set; } = cursor;
        public bool IsFull => Events.Count >= MaxEvents;

        public void Add(List<Event> events, long to)
        {
            Events.AddRange(events);
            To = to;
        }

        public void Applied()
        {
            Events = [];
            From = To;
        }
    }
}
