using System.Net;
using SimpleSync.Config;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Auth;

/// <summary>
/// Limits password guessing, before any hash is spent:
/// <list type="bullet">
/// <item>per client address (IPv6 by its /64, which one client usually holds whole): at most
/// <c>auth.login_max_failures</c> attempts that did not succeed in a window of
/// <c>auth.login_window</c>. An attempt counts when it starts and is refunded when it succeeds, so
/// parallel guesses cannot all slip past the check while the first ones are still being hashed;</item>
/// <item>per username, from any address: past the same number of failures, one attempt at a time
/// and a wait that doubles with each further failure (1 s, 2 s, 4 s …, at most the window). This
/// slows guessing spread over many addresses; the cost, a user whose name is under attack waits
/// too, is bounded by the window.</item>
/// </list>
/// Time comes from <see cref="TimeProvider"/> so tests can move the clock.
/// </summary>
internal sealed class LoginThrottle(AuthSection options, TimeProvider time)
{
    // Only keys that still count something are kept: an attempt that leaves nothing behind (a success,
    // a refund) removes its entries. Expired ones are swept once the table has grown past twice its
    // size after the last sweep, so a sweep costs each attempt O(1) on average; past the hard cap new
    // keys are refused (a flood from countless addresses), which keeps memory bounded.
    private const int SweepAbove = 10_000;
    private const int HardCap = 200_000;
    private int _sweepAt = SweepAbove;

    private readonly Dictionary<string, AddressWindow> _addresses = [];
    private readonly Dictionary<string, UsernameState> _usernames = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    /// <summary>Starts a login attempt or throws 429 <c>rate_limited</c> with Retry-After.</summary>
    public LoginAttempt Begin(IPAddress? address, string username)
    {
        var now = time.GetUtcNow();
        var addressKey = AddressKey(address);
        // Only valid usernames are tracked by name: anything else is one key, so junk cannot grow the table.
        var nameKey = Admin.UserRules.CheckUsername(username) is null ? username : "\0invalid";
        lock (_gate)
        {
            Sweep(now);
            var window = _addresses.GetValueOrDefault(addressKey);
            if (window is null || now - window.Start >= options.LoginWindow)
                window = null;
            else if (window.Count >= options.LoginMaxFailures)
                throw Limited("too many failed logins from this address", window.Start + options.LoginWindow - now);

            var name = _usernames.GetValueOrDefault(nameKey);
            if (name is not null && now - name.LastFailure >= options.LoginWindow && name.InFlight == 0)
                name = null;
            if (name is not null && name.Failures + name.InFlight >= options.LoginMaxFailures
                && (name.InFlight > 0 || now < name.NextAllowed))
            {
                throw Limited("too many failed logins for this username", name.InFlight > 0 ? TimeSpan.FromSeconds(1) : name.NextAllowed - now);
            }

            var newKeys = (_addresses.ContainsKey(addressKey) ? 0 : 1) + (_usernames.ContainsKey(nameKey) ? 0 : 1);
            if (newKeys > 0 && _addresses.Count + _usernames.Count + newKeys > HardCap)
                throw Limited("too many failed logins at this server", options.LoginWindow);
            window ??= _addresses[addressKey] = new AddressWindow(addressKey, now);
            name ??= _usernames[nameKey] = new UsernameState(nameKey);
            window.Count++;
            name.InFlight++;
            return new LoginAttempt(this, window, name);
        }
    }

    internal void Finish(AddressWindow window, UsernameState name, LoginOutcome outcome)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            name.InFlight--;
            switch (outcome)
            {
                case LoginOutcome.Failed:
                    name.Failures++;
                    name.LastFailure = now;
                    var beyond = name.Failures - options.LoginMaxFailures;
                    name.NextAllowed = beyond < 0 ? now : now + Backoff(beyond);
                    break;
                case LoginOutcome.Succeeded:
                    window.Count--;
                    name.Failures = 0;
                    break;
                default:
                    // Never tried (the server was too busy, or the client left): nothing to count.
                    window.Count--;
                    break;
            }
            if (window.Count == 0 && _addresses.GetValueOrDefault(window.Key) == window)
                _addresses.Remove(window.Key);
            if (name is { InFlight: 0, Failures: 0 } && _usernames.GetValueOrDefault(name.Key) == name)
                _usernames.Remove(name.Key);
        }
    }

    private TimeSpan Backoff(int beyond)
    {
        var seconds = Math.Pow(2, Math.Min(beyond, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, options.LoginWindow.TotalSeconds));
    }

    private void Sweep(DateTimeOffset now)
    {
        if (_addresses.Count + _usernames.Count <= _sweepAt)
            return;
        foreach (var (key, _) in _addresses.Where(a => now - a.Value.Start >= options.LoginWindow).ToList())
            _addresses.Remove(key);
        foreach (var (key, _) in _usernames.Where(u => u.Value.InFlight == 0 && now - u.Value.LastFailure >= options.LoginWindow).ToList())
            _usernames.Remove(key);
        _sweepAt = Math.Max(SweepAbove, 2 * (_addresses.Count + _usernames.Count));
    }

    private static ApiException Limited(string why, TimeSpan wait) =>
        new(ErrorCodes.RateLimited, $"{why}; try again later") { RetryAfter = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait };

    /// <summary>IPv4 as it is; IPv6 by its first 64 bits (one subscriber's network); unknown (no socket) as one key.</summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4().ToString();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }

    internal sealed class AddressWindow(string key, DateTimeOffset start)
    {
        public string Key { get; } = key;
        public DateTimeOffset Start { get; } = start;
        public int Count { get; set; }
    }

    internal sealed class UsernameState(string key)
    {
        public string Key { get; } = key;
        public int Failures { get; set; }
        public int InFlight { get; set; }
        public DateTimeOffset LastFailure { get; set; }
        public DateTimeOffset NextAllowed { get; set; }
    }
}

internal enum LoginOutcome
{
    NotTried,
    Failed,
    Succeeded,
}

/// <summary>One login in progress: say how it ended; disposing it without saying means it was never tried.</summary>
internal sealed class LoginAttempt(LoginThrottle throttle, LoginThrottle.AddressWindow window, LoginThrottle.UsernameState name) : IDisposable
{
    private LoginOutcome? _outcome;

    public void Failed() => End(LoginOutcome.Failed);

    public void Succeeded() => End(LoginOutcome.Succeeded);

    public void Dispose() => End(LoginOutcome.NotTried);

    private void End(LoginOutcome outcome)
    {
        if (_outcome is not null)
            return;
        _outcome = outcome;
        throttle.Finish(window, name, outcome);
    }
}
