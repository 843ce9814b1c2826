using System.Security.Cryptography;
using System.Text;
using SimpleSync.Config;
using SimpleSync.Storage;

namespace SimpleSync.Sync;

/// <summary>
/// Ends the live streams of users whose login changed: a password or username change gives the
/// user a new security stamp, and a token with the old one gets 401 on every request, so its open
/// streams must stop too. A change made through this server ends them at once
/// (<see cref="EndFor"/>); one made elsewhere (the CLI, another server) is found by one look at
/// the users on every heartbeat, for all streams together, so a stream outlives its revocation by
/// one heartbeat at most.
/// </summary>
internal sealed class StreamRevocation(StreamHub hub, IEventStore store, SimpleSyncOptions options, TimeProvider time,
    ILogger<StreamRevocation> logger) : IHostedService, IDisposable
{
    private ITimer? _timer;
    private int _checking;

    public Task StartAsync(CancellationToken ct)
    {
        _timer = time.CreateTimer(_ => _ = CheckAsync(), null, options.Sync.Heartbeat, options.Sync.Heartbeat);
        return Task.CompletedTask;
    }

    /// <summary>Ends the streams of one user whose login this server just changed.</summary>
    public void EndFor(string userUuid) => hub.Revoke(owner => owner.UserUuid == userUuid);

    /// <summary>Compares every open stream's stamp with its user's current one; ends those that differ or whose user is gone.</summary>
    public async Task CheckAsync()
    {
        if (hub.Count == 0 || Interlocked.Exchange(ref _checking, 1) == 1)
            return;
        try
        {
            var users = new HashSet<string>(hub.Users(), StringComparer.Ordinal);
            var stamps = (await store.ListUsersAsync(CancellationToken.None))
                .Where(u => users.Contains(u.Uuid))
                .ToDictionary(u => u.Uuid, u => u.SecurityStamp, StringComparer.Ordinal);
            var ended = hub.Revoke(owner => !stamps.TryGetValue(owner.UserUuid, out var stamp) || !SameStamp(stamp, owner.Stamp));
            if (ended > 0)
                logger.LogInformation("Ended {Count} live streams whose login was revoked", ended);
        }
        catch (Exception ex)
        {
            // Storage trouble: the streams stay until the next look; their requests fail on their own meanwhile.
            logger.LogWarning("Could not check live streams for revoked logins: {Message}", ex.Message);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private static bool SameStamp(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public Task StopAsync(CancellationToken ct)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
