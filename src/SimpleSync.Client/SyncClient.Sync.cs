using Microsoft.Extensions.Logging;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

public sealed partial class SyncClient
{
    // The server takes at most this many events a push; the rest go in the next round of the same sync.
    private const int MaxBatch = 10_000;

    /// <summary>
    /// Pushes the pending events and pulls everything new in one <c>POST /sync</c> (then
    /// <c>GET /sync</c> while the server has more). Each answer is applied in one local
    /// transaction: events the server accepted (or already had) leave pending and enter the
    /// authoritative copy as the server returns them, rejected ones leave pending and come back
    /// in the result, and the cursor advances. If the answer is lost, the next sync pushes the
    /// same events again and the server reports them as duplicates: nothing is stored twice.
    /// </summary>
    /// <exception cref="SyncException">
    /// The sync failed; nothing pending was lost. <see cref="SyncException.IsLoginRequired"/> after a 401,
    /// <see cref="SyncException.IsTransient"/> when a retry later may work.
    /// </exception>
    public async Task<SyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        await _syncGate.WaitAsync(cancellationToken);
        try
        {
            _syncing = true;
            RaiseChanged();
            var result = await SyncRoundsAsync(cancellationToken);
            _lastError = null;
            return result;
        }
        catch (SyncException ex)
        {
            _lastError = ex;
            if (ex.IsLoginRequired)
                _store.ForgetToken();
            throw;
        }
        finally
        {
            _syncing = false;
            _syncGate.Release();
            RaiseChanged();
        }
    }

    private async Task<SyncResult> SyncRoundsAsync(CancellationToken ct)
    {
        var accepted = new List<Event>();
        var duplicates = new List<Event>();
        var rejected = new List<RejectedEvent>();
        var pulled = 0;
        var epochChanged = false;
        // Events a discarded answer (one from a new epoch) accepted come back as duplicates when
        // pushed again; to the app they were accepted by this sync.
        var acceptedBefore = new HashSet<string>();
        while (true)
        {
            var meta = _store.ReadMeta();
            var token = meta.Token ?? throw new SyncException(ClientErrorCodes.LoginRequired, "log in before syncing");
            var batch = _store.ReadPending(MaxBatch);
            var answer = await _api.PushAsync(token, new SyncRequest(meta.Cursor, batch), ct);
            if (IsNewEpoch(meta, answer))
            {
                // Nothing of this answer is applied: its cursor is from another store. The events it
                // accepted stay pending and come back as duplicates on the next round.
                ResetForNewEpoch(meta, answer.Epoch);
                epochChanged = true;
                acceptedBefore.UnionWith((answer.Results ?? []).Where(r => r.Status == PushStatuses.Accepted).Select(r => r.Uuid!));
                continue;
            }
            var settled = Settle(batch, answer, acceptedBefore, accepted, duplicates, rejected);
            _store.Apply(answer.Events, settled, meta.Cursor, answer.Cursor, answer.Epoch, _time.GetUtcNow());
            pulled += answer.Events.Count;
            var (pages, restart) = await PullRestAsync(token, answer, ct);
            pulled += pages;
            if (restart)
            {
                epochChanged = true;
                continue;
            }
            RaiseChanged();
            // A full batch means more were pending before this sync began; events recorded since wait.
            if (batch.Count < MaxBatch)
                return new SyncResult(accepted, duplicates, rejected, pulled, epochChanged);
        }
    }

    /// <summary>Follows <c>more</c> with <c>GET /sync</c>. Returns the events pulled, and true when the epoch changed meanwhile.</summary>
    private async Task<(int Pulled, bool EpochChanged)> PullRestAsync(string token, SyncResponse answer, CancellationToken ct)
    {
        var pulled = 0;
        while (answer.More)
        {
            var meta = _store.ReadMeta();
            var page = await _api.PullAsync(token, answer.Cursor, ct);
            if (IsNewEpoch(meta, page))
            {
                ResetForNewEpoch(meta, page.Epoch);
                return (pulled, true);
            }
            _store.Apply(page.Events, [], answer.Cursor, page.Cursor, page.Epoch, _time.GetUtcNow());
            pulled += page.Events.Count;
            answer = page;
        }
        return (pulled, false);
    }

    private static bool IsNewEpoch(LocalStore.Meta meta, SyncResponse answer) =>
        meta.Epoch is not null && meta.Epoch != answer.Epoch;

    private void ResetForNewEpoch(LocalStore.Meta meta, string newEpoch)
    {
        var moved = _store.ResetForNewEpoch(meta.UserUuid ?? "");
        _logger.LogWarning(
            "The server's store changed from epoch {Old} to {New} (restored or re-created): {Moved} own events go back to pending and the history is pulled again",
            meta.Epoch, newEpoch, moved);
    }

    /// <summary>Pairs each pushed event with its result; returns the uuids that leave pending.</summary>
    private static List<string> Settle(List<Event> batch, SyncResponse answer, HashSet<string> acceptedBefore,
        List<Event> accepted, List<Event> duplicates,
        List<RejectedEvent> rejected)
    {
        var results = answer.Results ?? [];
        if (results.Count != batch.Count)
        {
            throw new SyncException(ClientErrorCodes.BadResponse,
                $"the server answered {results.Count} results for {batch.Count} pushed events");
        }
        var settled = new List<string>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var (e, r) = (batch[i], results[i]);
            if (r.Uuid != e.Uuid)
                throw new SyncException(ClientErrorCodes.BadResponse, $"result {i} is for {r.Uuid}, not for the pushed {e.Uuid}");
            switch (r.Status)
            {
                case PushStatuses.Accepted:
                case PushStatuses.Duplicate when acceptedBefore.Contains(e.Uuid):
                    accepted.Add(e);
                    break;
                case PushStatuses.Duplicate:
                    duplicates.Add(e);
                    break;
                case PushStatuses.Rejected:
                    rejected.Add(new RejectedEvent(e, r.Reason ?? "", r.Detail));
                    break;
                default:
                    throw new SyncException(ClientErrorCodes.BadResponse, $"result {i} has the unknown status '{r.Status}'");
            }
            settled.Add(e.Uuid);
        }
        return settled;
    }
}
