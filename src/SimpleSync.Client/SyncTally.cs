using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>What one sync did so far, across its pushes and pages; becomes its <see cref="SyncResult"/>.</summary>
internal sealed class SyncTally
{
    private readonly List<Event> _accepted = [];
    private readonly List<Event> _duplicates = [];
    private readonly List<RejectedEvent> _rejected = [];
    // Events a discarded answer (one from a new epoch) accepted come back as duplicates when
    // pushed again; to the app they were accepted by this sync.
    private readonly HashSet<string> _acceptedBefore = new(StringComparer.OrdinalIgnoreCase);

    public int Pulled { get; set; }

    public bool EpochChanged { get; set; }

    /// <summary>Remembers what an answer that is then discarded (a new epoch) accepted.</summary>
    public void Discarded(SyncResponse answer) =>
        _acceptedBefore.UnionWith(answer.Results!.Where(r => r.Status == PushStatuses.Accepted).Select(r => r.Uuid!));

    /// <summary>Sorts each pushed event by its result (checked by <see cref="AnswerRules.CheckPush"/>); returns the uuids that leave pending.</summary>
    public List<string> Settle(PushBatch batch, SyncResponse answer)
    {
        var settled = new List<string>(batch.Events.Count);
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var (e, r) = (batch.Events[i], answer.Results![i]);
            switch (r.Status)
            {
                case PushStatuses.Accepted:
                case PushStatuses.Duplicate when _acceptedBefore.Contains(e.Uuid):
                    _accepted.Add(e);
                    break;
                case PushStatuses.Duplicate:
                    _duplicates.Add(e);
                    break;
                default:
                    _rejected.Add(new RejectedEvent(e, r.Reason!, r.Detail));
                    break;
            }
            settled.Add(e.Uuid);
        }
        return settled;
    }

    public void Rejected(Event e, string reason, string detail) => _rejected.Add(new RejectedEvent(e, reason, detail));

    public SyncResult ToResult() => new(_accepted, _duplicates, _rejected, Pulled, EpochChanged);
}
