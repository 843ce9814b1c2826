using System.Net;
using SimpleSync.Config;

namespace SimpleSync.Auth;

/// <summary>
/// Counts failed logins per client address in a fixed window; past the limit, logins from that
/// address get 429 until the window ends. Only failures count, so a user who types the right
/// password is never slowed by this. Time comes from <see cref="TimeProvider"/> so tests can
/// move the clock past the window.
/// </summary>
internal sealed class LoginThrottle(AuthSection options, TimeProvider time)
{
    // Beyond this many tracked addresses, expired windows are swept on the next failure.
    private const int SweepAbove = 10_000;

    private readonly Dictionary<string, (DateTimeOffset Start, int Failures)> _windows = [];
    private readonly Lock _gate = new();

    /// <summary>How long the address must wait, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_windows.TryGetValue(Key(address), out var window) || now - window.Start >= options.LoginWindow)
                return null;
            return window.Failures >= options.LoginMaxFailures ? window.Start + options.LoginWindow - now : null;
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        var now = time.GetUtcNow();
        var key = Key(address);
        lock (_gate)
        {
            if (_windows.Count > SweepAbove)
            {
                foreach (var (stale, _) in _windows.Where(w => now - w.Value.Start >= options.LoginWindow).ToList())
                    _windows.Remove(stale);
            }
            _windows[key] = _windows.TryGetValue(key, out var window) && now - window.Start < options.LoginWindow
                ? (window.Start, window.Failures + 1)
                : (now, 1);
        }
    }

    private static string Key(IPAddress? address) =>
        (address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address)?.ToString() ?? "unknown";
}
