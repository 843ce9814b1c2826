using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>A kept fold, whatever its state type: what <see cref="SyncClient.Items{TState}"/> finds again by reducer.</summary>
internal abstract class ItemFold
{
    public abstract Delegate Reducer { get; }
}

/// <summary>
/// The item states of the authoritative copy folded up to one event in history order, so that
/// the next read folds only what came after it. Valid while the store's rewrite count is the one
/// it was folded at (see <see cref="LocalStore.ReadHistory"/>); otherwise it folds again from the
/// start. Pending events are folded on a copy, never into the kept states: they leave pending
/// for their place in history order. Not thread-safe: the client locks around it.
/// </summary>
internal sealed class ItemFold<TState>(Func<TState?, Event, TState> reducer) : ItemFold
{
    private readonly Dictionary<string, TState> _items = [];
    private Event? _last;
    private long _rewrites;

    public override Delegate Reducer => reducer;

    public Dictionary<string, TState> Read(LocalStore store)
    {
        var history = store.ReadHistory(_last, _rewrites);
        if (history.Whole)
        {
            _items.Clear();
            _last = null;
        }
        // Position and states move together, event by event, so a reducer that throws leaves a
        // fold that the next read continues from the event it threw on.
        foreach (var e in history.Authoritative)
        {
            Fold(_items, e);
            _last = e;
        }
        _rewrites = history.Rewrites;
        var view = new Dictionary<string, TState>(_items);
        foreach (var e in history.Pending)
            Fold(view, e);
        return view;
    }

    private void Fold(Dictionary<string, TState> items, Event e) =>
        items[e.ItemUuid] = reducer(items.TryGetValue(e.ItemUuid, out var state) ? state : default, e);
}
