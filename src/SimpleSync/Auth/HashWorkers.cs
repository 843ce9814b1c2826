using System.Collections.Concurrent;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Auth;

/// <summary>
/// Runs the server's password hashes on a few threads of their own, behind a short queue. A hash
/// costs a core for a few hundred milliseconds by design; run on request threads, a burst of
/// logins would take every thread-pool thread and stall every other request. Here at most
/// <c>workers</c> hashes run at once, at most <c>queue</c> wait, and a login beyond that is
/// refused at once with 503 and Retry-After rather than piling up.
/// </summary>
internal sealed class HashWorkers : IDisposable
{
    /// <summary>Logins that may wait for a worker; beyond them the server answers 503.</summary>
    public const int DefaultQueue = 32;

    private readonly BlockingCollection<Action> _jobs;
    private int _running;
    private int _peak;

    public HashWorkers(int workers, int queue = DefaultQueue)
    {
        _jobs = new BlockingCollection<Action>(new ConcurrentQueue<Action>(), Math.Max(1, queue));
        for (var i = 0; i < workers; i++)
            new Thread(Work) { IsBackground = true, Name = $"password-hash-{i}" }.Start();
    }

    /// <summary>One per core but one, so that requests keep a core while logins are hashed.</summary>
    public static int DefaultWorkers => Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Hashes running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>The most hashes that ever ran at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Runs <paramref name="hash"/> on a worker; 503 <c>unavailable</c> at once when the queue is full.</summary>
    public Task<T> RunAsync<T>(Func<T> hash, CancellationToken ct)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = _jobs.TryAdd(() =>
        {
            if (ct.IsCancellationRequested)
            {
                // The client left while it waited: do not spend a hash on nobody.
                result.TrySetCanceled(ct);
                return;
            }
            try
            {
                result.TrySetResult(hash());
            }
            catch (Exception ex)
            {
                result.TrySetException(ex);
            }
        });
        if (!queued)
        {
            throw new ApiException(ErrorCodes.Unavailable, "the server is busy checking passwords; try again in a moment")
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }
        return result.Task;
    }

    private void Work()
    {
        foreach (var job in _jobs.GetConsumingEnumerable())
        {
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _peak, running);
            job();
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
            current = seen;
    }

    public void Dispose() => _jobs.CompleteAdding();
}
