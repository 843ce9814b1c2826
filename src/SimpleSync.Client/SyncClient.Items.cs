using System.Text.Json.Nodes;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

public sealed partial class SyncClient
{
    // The folds of the reducers used last, most recent first. An app has a view or two; a reducer
    // made anew for every call (a capturing lambda) would otherwise pile up folds of the history.
    private const int KeptFolds = 4;
    private readonly List<ItemFold> _folds = [];

    /// <summary>
    /// The app's view of the history, read from the local store: the authoritative copy in history
    /// order (timestamp, then uuid), then the pending events in the order they were recorded. It
    /// reads every event; <see cref="Items{TState}"/> and <see cref="ChangedEventArgs.Added"/>
    /// spare an app that.
    /// </summary>
    public IReadOnlyList<Event> Events()
    {
        var history = _store.ReadHistory(after: null, rewrites: 0);
        history.Authoritative.AddRange(history.Pending);
        return history.Authoritative;
    }

    /// <summary>Events recorded here and not yet accepted by the server, in recording order. Reads the local store.</summary>
    public IReadOnlyList<Event> PendingEvents() => _store.ReadPending();

    /// <summary>
    /// Folds <see cref="Events"/> into one state per item: for each event, in order,
    /// <paramref name="reducer"/> gets the item's state so far (default for its first event) and
    /// returns the new one. Each call returns a new dictionary, its items in the order of their
    /// first events.
    /// </summary>
    /// <remarks>
    /// The client keeps the fold of the authoritative copy for the last few reducers (told apart
    /// by <see cref="Delegate.Equals(object?)"/>: pass a method or a delegate kept in a field, not
    /// a new lambda that captures variables) and folds only the events that arrived since, then
    /// the pending events on top. When an event lands before the folded position (an older event
    /// pulled from a device that was offline), the fold starts again from the first event. So the
    /// reducer must be a function of its arguments alone and must not change the state it is
    /// given: states are kept between calls and shared by the dictionaries returned.
    /// </remarks>
    public IReadOnlyDictionary<string, TState> Items<TState>(Func<TState?, Event, TState> reducer)
    {
        ArgumentNullException.ThrowIfNull(reducer);
        lock (_folds)
            return FoldOf(reducer).Read(_store);
    }

    /// <summary>Item states made with <see cref="ItemReducers.MergeJsonObjects"/>: JSON object payloads merged, later events winning.</summary>
    public IReadOnlyDictionary<string, JsonObject> Items() => Items<JsonObject>(ItemReducers.MergeJsonObjects);

    private ItemFold<TState> FoldOf<TState>(Func<TState?, Event, TState> reducer)
    {
        // By type too: through delegate variance one reducer can serve two state types.
        var index = _folds.FindIndex(f => f is ItemFold<TState> && f.Reducer.Equals(reducer));
        var fold = index >= 0 ? (ItemFold<TState>)_folds[index] : new ItemFold<TState>(reducer);
        if (index != 0)
        {
            if (index > 0)
                _folds.RemoveAt(index);
            else if (_folds.Count == KeptFolds)
                _folds.RemoveAt(KeptFolds - 1);
            _folds.Insert(0, fold);
        }
        return fold;
    }
}
