using System.Collections.Concurrent;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Devices;

/// <summary>
/// Keeps the sync health of every device: requests note what they saw here, in memory, and a
/// loop writes it to the store every <see cref="FlushInterval"/> in one transaction, so a
/// request never waits for a health write. What waits in memory is bounded as the store is
/// (<see cref="SyncHealthLimits"/>): a user who invents device ids or pushes refused events
/// fills their own share and nobody else's. The record is a report, not the history: a batch
/// that cannot be written (the database is down) is dropped with a warning.
/// </summary>
internal sealed class SyncHealth(IEventStore store, TimeProvider time, ILogger<SyncHealth> logger, SyncHealthLimits limits)
    : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    /// <summary>A device that synced within this time is active.</summary>
    public static readonly TimeSpan ActiveWithin = TimeSpan.FromHours(24);

    private const int MaxEventUuidLength = 200;
    private const int MaxDetailLength = 500;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Dictionary<(string User, string Device), DeviceRecord> _devices = [];
    private Dictionary<string, int> _devicesPerUser = new(StringComparer.Ordinal);
    private Dictionary<string, Queue<RejectionInfo>> _rejections = new(StringComparer.Ordinal);
    private int _rejectionCount;
    private readonly Dictionary<string, long> _rejectedByReason = new(StringComparer.Ordinal);
    private CachedSummary? _summary;
    private readonly ConcurrentDictionary<LiveDevice, byte> _live = new();

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Sync requests whose device record was not kept because the caps on waiting records were reached.</summary>
    public long Dropped { get; private set; }

    /// <summary>A sync answer was sent to <paramref name="caller"/>, reaching seq <paramref name="cursor"/>.</summary>
    public void Synced(DeviceCaller caller, long cursor) => Note(caller, cursor, 0, 0);

    /// <summary>
    /// A live stream of <paramref name="caller"/> opens: what it sends is noted at each flush (its
    /// last sync is then the flush's time, at most <see cref="FlushInterval"/> late) and when the
    /// returned handle is disposed.
    /// </summary>
    public LiveDevice Follow(DeviceCaller caller)
    {
        var live = new LiveDevice(this, caller);
        if (caller.Device is not null)
            _live.TryAdd(live, 0);
        return live;
    }

    internal void Unfollow(LiveDevice live)
    {
        if (_live.TryRemove(live, out _))
            NoteMove(live);
    }

    /// <summary>
    /// A push by <paramref name="caller"/> was decided: <paramref name="accepted"/> events stored,
    /// <paramref name="rejections"/> refused (logged with or without a device).
    /// </summary>
    public void Pushed(DeviceCaller caller, int accepted, IReadOnlyList<RejectionInfo> rejections)
    {
        Note(caller, -1, accepted, rejections.Count);
        if (rejections.Count == 0)
            return;
        lock (_lock)
        {
            if (!_rejections.TryGetValue(caller.UserUuid, out var queue))
                _rejections[caller.UserUuid] = queue = new Queue<RejectionInfo>();
            foreach (var rejection in rejections)
            {
                _rejectedByReason[rejection.Reason] = _rejectedByReason.GetValueOrDefault(rejection.Reason) + 1;
                // The newest are the ones worth keeping: a user's own older ones make room first,
                // and when everyone's share is full, the new one is dropped.
                if (queue.Count >= limits.RejectionsPerUser)
                    queue.Dequeue();
                else if (_rejectionCount >= limits.Rejections)
                    continue;
                else
                    _rejectionCount++;
                queue.Enqueue(Trimmed(rejection));
            }
        }
    }

    /// <summary>Refused events counted by this server since it started, by reason.</summary>
    public IReadOnlyDictionary<string, long> RejectedByReason()
    {
        lock (_lock)
            return new Dictionary<string, long>(_rejectedByReason, StringComparer.Ordinal);
    }

    /// <summary>
    /// The device records summed up against <paramref name="head"/>; read from the store at most
    /// once a <see cref="FlushInterval"/> (or after a flush), however often scrapes and admins ask.
    /// </summary>
    public async Task<DeviceSummary> SummaryAsync(long head, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_summary is { } cached && now - cached.At < FlushInterval)
            return cached.Summary;
        var summary = await store.SummarizeDevicesAsync(head, now - ActiveWithin, ct);
        _summary = new CachedSummary(summary, now);
        return summary;
    }

    /// <summary>
    /// Writes what is waiting. Flushes run one at a time, so when this returns, everything noted
    /// before the call is in the store, including a batch another flush had already taken.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _flushing.WaitAsync(ct);
        try
        {
            foreach (var live in _live.Keys)
                NoteMove(live);
            List<DeviceRecord> devices;
            List<RejectionInfo> rejections;
            lock (_lock)
            {
                if (_devices.Count == 0 && _rejectionCount == 0)
                    return;
                devices = [.. _devices.Values];
                rejections = [.. _rejections.Values.SelectMany(q => q).OrderBy(r => r.At)];
                _devices = [];
                _devicesPerUser = new(StringComparer.Ordinal);
                _rejections = new(StringComparer.Ordinal);
                _rejectionCount = 0;
            }
            try
            {
                await store.RecordSyncHealthAsync(devices, rejections, limits, CancellationToken.None);
                _summary = null;
            }
            catch (Exception ex) when (ex is Errors.ApiException or TimeoutException)
            {
                logger.LogWarning("Sync health of {Devices} devices and {Rejections} rejections not recorded: {Problem}",
                    devices.Count, rejections.Count, ex.Message);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(FlushInterval, time, stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug in a report must not stop the server (a failed BackgroundService stops the host).
                    logger.LogError(ex, "Sync health not recorded");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>What the last requests showed is written before the store closes.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    private void NoteMove(LiveDevice live)
    {
        if (live.TakeMove(out var seq))
            Note(live.Caller, seq, 0, 0);
    }

    /// <param name="cursor">The seq the answer reached, or -1 when no answer is sent (a push's counts alone).</param>
    private void Note(DeviceCaller caller, long cursor, int accepted, int rejected)
    {
        if (caller.Device is not { } device)
            return;
        var now = time.GetUtcNow();
        var key = (caller.UserUuid, device);
        lock (_lock)
        {
            if (!_devices.TryGetValue(key, out var record))
            {
                var ofUser = _devicesPerUser.GetValueOrDefault(caller.UserUuid);
                if (ofUser >= limits.DevicesPerUser || _devices.Count >= limits.Devices)
                {
                    Dropped++;
                    return;
                }
                _devicesPerUser[caller.UserUuid] = ofUser + 1;
                record = new DeviceRecord(caller.UserUuid, device, caller.Client, now, now, -1, 0, 0);
            }
            _devices[key] = record with
            {
                Client = caller.Client ?? record.Client,
                LastSync = now,
                // Requests of one device may overlap (a stream and a push): the furthest answer counts.
                Cursor = Math.Max(record.Cursor, cursor),
                Accepted = record.Accepted + accepted,
                Rejected = record.Rejected + rejected,
            };
        }
    }

    private sealed record CachedSummary(DeviceSummary Summary, DateTimeOffset At);

    private static RejectionInfo Trimmed(RejectionInfo r) => r with
    {
        EventUuid = Cut(r.EventUuid, MaxEventUuidLength),
        Detail = Cut(r.Detail, MaxDetailLength)!,
    };

    /// <summary>At most <paramref name="max"/> characters, never half of a surrogate pair (the databases take only whole text).</summary>
    private static string? Cut(string? text, int max) =>
        text is not { Length: var n } || n <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];
}
