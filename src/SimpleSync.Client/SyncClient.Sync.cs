using Microsoft.Extensions.Logging;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

public sealed partial class SyncClient
{
    // Only syncs touch it, one at a time (_syncGate).
    private PushLimits _pushLimits;

    /// <summary>
    /// Pushes the pending events and pulls everything new with <c>POST /sync</c> (then
    /// <c>GET /sync</c> while the server has more). Each answer is applied in one local
    /// transaction: events the server accepted (or already had) leave pending and enter the
    /// authoritative copy as the server returns them, rejected ones leave pending and come back
    /// in the result, and the cursor advances. If the answer is lost, the next sync pushes the
    /// same events again and the server reports them as duplicates: nothing is stored twice.
    /// </summary>
    /// <remarks>
    /// A large backlog goes in several pushes, each within <see cref="SyncClientOptions.MaxPushEvents"/>
    /// and <see cref="SyncClientOptions.MaxPushBytes"/>; events recorded while the sync runs wait
    /// for the next one. When the server refuses a push as too large (413), the client halves both
    /// limits for the rest of its life and pushes again; an event the server refuses as too large
    /// even alone leaves pending and is reported in <see cref="SyncResult.Rejected"/> with
    /// <see cref="RejectionReasons.PayloadTooLarge"/>.
    /// </remarks>
    /// <exception cref="SyncException">
    /// The sync failed; nothing pending was lost. <see cref="SyncException.IsLoginRequired"/> after a 401,
    /// <see cref="SyncException.IsTransient"/> when a retry later may work.
    /// </exception>
    public async Task<SyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        await _syncGate.WaitAsync(cancellationToken);
        try
        {
            // This sync pushes what is pending now; what is recorded from here on (even by a Changed
            // handler) waits for the next, so a sync ends while the app keeps recording. (Recording
            // positions restart when pending empties, so a few late events may still join this sync.)
            var lastOrd = _store.LastPendingOrd();
            _syncing = true;
            RaiseChanged();
            var result = await SyncRoundsAsync(lastOrd, cancellationToken);
            _lastError = null;
            return result;
        }
        catch (SyncException ex)
        {
            Failed(ex);
            throw;
        }
        finally
        {
            _syncing = false;
            _syncGate.Release();
            RaiseChanged();
        }
    }

    /// <summary>Records a failure in <see cref="Status"/>; a 401 also forgets the token.</summary>
    private void Failed(SyncException ex)
    {
        _lastError = ex;
        if (ex.IsLoginRequired)
            _store.ForgetToken();
    }

    private async Task<SyncResult> SyncRoundsAsync(long lastOrd, CancellationToken ct)
    {
        var tally = new SyncTally();
        while (true)
        {
            var meta = _store.ReadMeta();
            var token = meta.Token ?? throw new SyncException(ClientErrorCodes.LoginRequired, "log in before syncing");
            var limits = _pushLimits;
            var batch = PushBatch.Create(meta.Cursor, _store.ReadPushCandidates(limits.Events, limits.Bytes, lastOrd), limits.Bytes);
            var answer = await PushWithinLimitsAsync(token, batch, tally, ct);
            if (answer is null)
                continue;
            if (IsNewEpoch(meta, answer))
            {
                // Nothing of this answer is applied: its cursor is from another store. The events it
                // accepted stay pending and come back as duplicates on the next round.
                ResetForNewEpoch(meta, answer.Epoch);
                tally.EpochChanged = true;
                tally.Discarded(answer);
                continue;
            }
            var settled = tally.Settle(batch, answer);
            var added = _store.Apply(answer.Events, settled, meta.Cursor, answer.Cursor, answer.Epoch, _time.GetUtcNow());
            tally.Pulled += answer.Events.Count;
            RaiseChanged(added);
            var (pages, restart) = await PullRestAsync(token, answer, ct);
            tally.Pulled += pages;
            tally.EpochChanged |= restart;
            if (!restart && !_store.HasPending(lastOrd))
                return tally.ToResult();
        }
    }

    /// <summary>
    /// Pushes one batch. On a 413 it returns null for the caller to go round again: a batch of
    /// several events halves the limits; a single event leaves pending as rejected, since it
    /// would be refused on every sync and hold up everything recorded after it.
    /// </summary>
    private async Task<SyncResponse?> PushWithinLimitsAsync(string token, PushBatch batch, SyncTally tally, CancellationToken ct)
    {
        try
        {
            return await _api.PushAsync(token, batch, ct);
        }
        catch (SyncException ex) when (ex.Code == ErrorCodes.TooLarge && batch.Events.Count > 1)
        {
            _pushLimits = _pushLimits.Halved(batch);
            _logger.LogWarning(
                "The server refused a push of {Events} events ({Bytes} bytes) as too large; pushing at most {MaxEvents} events and {MaxBytes} bytes at a time from now on",
                batch.Events.Count, batch.Body.Length, _pushLimits.Events, _pushLimits.Bytes);
            return null;
        }
        catch (SyncException ex) when (ex.Code == ErrorCodes.TooLarge && batch.Events.Count == 1)
        {
            var e = batch.Events[0];
            _store.DropPending(e.Uuid);
            tally.Rejected(e, RejectionReasons.PayloadTooLarge,
                $"the server refuses a push of this event alone ({batch.Body.Length} bytes) as too large: {ex.Message}");
            _logger.LogWarning("The server refused event {Uuid} ({Bytes} bytes) as too large even alone; it leaves pending as rejected",
                e.Uuid, batch.Body.Length);
            return null;
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
            var added = _store.Apply(page.Events, [], answer.Cursor, page.Cursor, page.Epoch, _time.GetUtcNow());
            pulled += page.Events.Count;
            RaiseChanged(added);
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
}
