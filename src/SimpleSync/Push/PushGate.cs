using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Push;

/// <summary>
/// Bounds how many pushes are read, parsed and held at once: a few per user, so one user's
/// connections (however slowly they send) cannot take every place, and a bounded number in all,
/// so memory stays bounded. Refusals are immediate — 429 for the user, 503 for the server — with
/// Retry-After, rather than a queue that a slow sender could hold up.
/// </summary>
internal sealed class PushGate
{
    public const int PerUser = 4;
    public const int InAll = 64;

    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _inAll;

    /// <summary>Pushes in progress now, in all.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _inAll;
        }
    }

    public Place Enter(string userUuid)
    {
        lock (_gate)
        {
            var mine = _perUser.GetValueOrDefault(userUuid);
            if (mine >= PerUser)
                throw Busy(ErrorCodes.RateLimited, $"this user already has {PerUser} pushes in progress; wait for one to finish");
            if (_inAll >= InAll)
                throw Busy(ErrorCodes.Unavailable, "the server has too many pushes in progress; try again in a moment");
            _perUser[userUuid] = mine + 1;
            _inAll++;
        }
        return new Place(this, userUuid);
    }

    private void Leave(string userUuid)
    {
        lock (_gate)
        {
            _inAll--;
            if (--_perUser[userUuid] == 0)
                _perUser.Remove(userUuid);
        }
    }

    private static ApiException Busy(string code, string detail) => new(code, detail) { RetryAfter = TimeSpan.FromSeconds(1) };

    /// <summary>A place taken; disposing it gives it back.</summary>
    public sealed class Place(PushGate gate, string userUuid) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
                gate.Leave(userUuid);
        }
    }
}
