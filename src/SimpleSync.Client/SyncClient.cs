using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>
/// The local-first client of a SimpleSync server. It keeps a full copy of the history in a local
/// SQLite store, records new events there at once (online or not), and syncs them with
/// <see cref="SyncAsync"/>: every recorded event reaches the server exactly once, whatever fails
/// in between. Members are safe to call from several threads; syncs run one at a time.
/// </summary>
public sealed partial class SyncClient : IDisposable
{
    private readonly LocalStore _store;
    private readonly ServerApi _api;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SyncClientOptions _options;
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private volatile SyncException? _lastError;
    private volatile bool _syncing;
    private int _watching;

    /// <summary>
    /// Opens (or creates) the local store and talks to the server at <paramref name="http"/>'s
    /// <see cref="HttpClient.BaseAddress"/>, as it is now. The client is not disposed with this
    /// object, so one from <c>IHttpClientFactory</c> is fine. A new store file is readable by its
    /// owner only (it holds the login token).
    /// </summary>
    /// <param name="http">Sends the requests; its base address is the server's URL.</param>
    /// <param name="storePath">The SQLite file of the local store, or null for a store in memory that dies with this object.</param>
    /// <param name="logger">Where to log reconnects and epoch changes; nothing is logged when null.</param>
    /// <param name="time">The clock for event timestamps, reconnect delays and request timeouts; the system clock when null.</param>
    /// <param name="options">Transport settings and the app's name; the defaults when null.</param>
    /// <exception cref="ArgumentException">
    /// The base address is missing, is neither https:// nor http://, or is http:// to a host other
    /// than this machine without <see cref="SyncClientOptions.AllowInsecureHttp"/>; or a limit of
    /// <paramref name="options"/> is below 1, or its app name or version is not an HTTP token.
    /// </exception>
    public SyncClient(HttpClient http, string? storePath, ILogger? logger = null, TimeProvider? time = null,
        SyncClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (storePath is { Length: 0 })
            throw new ArgumentException("the store path must be a file path, or null for a store in memory", nameof(storePath));
        _options = options ?? new SyncClientOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        var baseAddress = ServerAddress.Check(http, _options.AllowInsecureHttp);
        _pushLimits = new PushLimits(_options.MaxPushEvents, _options.MaxPushBytes);
        _store = new LocalStore(storePath);
        _api = new ServerApi(http, baseAddress, _options, _time, new ClientIdentity(_store.DeviceId, _options));
    }

    /// <summary>
    /// Raised after anything an app shows may have changed, once for each change applied: an event
    /// recorded; each answer of a sync, or the live messages that arrived together, applied to the
    /// local copy (one local transaction each); <see cref="Status"/> changing. The arguments carry
    /// the events that change added, so an app that keeps its own list can append them instead of
    /// reading <see cref="Events"/> again; an app that redraws from <see cref="Items{TState}"/>
    /// can do so on every raise, since it folds only what is new. Other changes (this device's own
    /// events settling into history order, an epoch reset) add nothing and still raise it. It may
    /// be raised on any thread, and on several at once (a <see cref="Record"/> during a sync); UI
    /// code dispatches to its own. A handler that throws is logged and does not stop the client.
    /// </summary>
    public event EventHandler<ChangedEventArgs>? Changed;

    /// <summary>
    /// This device's id, sent as <c>Sync-Device</c> on every request: 32 random hexadecimal digits
    /// made when the store was created and kept in it, so it stays the same across restarts and
    /// logins. A new store (and every store in memory) is a new device; a copied store file keeps
    /// the id. Not a secret: an app may show it, as "this device".
    /// </summary>
    public string DeviceId => _store.DeviceId;

    /// <summary>The uuid of the logged-in user, or null before the first login. Reads the local store.</summary>
    public string? UserUuid() => _store.ReadMeta().UserUuid;

    /// <summary>The username of the logged-in user, or null before the first login. Reads the local store.</summary>
    public string? Username() => _store.ReadMeta().Username;

    /// <summary>What a sync button needs: pending count, last successful sync, last error, what is running. Reads the local store.</summary>
    public SyncStatus Status()
    {
        var meta = _store.ReadMeta();
        return new SyncStatus(_store.PendingCount(), meta.LastSync, _lastError, _syncing,
            Volatile.Read(ref _watching) == 1, meta.Token is not null);
    }

    /// <summary>
    /// Exchanges username and password for a token and stores the login. Pending events are kept.
    /// Throws <see cref="SyncException"/> with <see cref="ErrorCodes.Unauthenticated"/> for wrong
    /// credentials, <see cref="ErrorCodes.RateLimited"/> after too many.
    /// </summary>
    public async Task LoginAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        var token = await _api.LoginAsync(username, password, cancellationToken);
        _store.SaveLogin(token, SubjectOf(token), username);
        _lastError = null;
        RaiseChanged();
    }

    /// <summary>
    /// Records a new event as the logged-in user and keeps it pending until a sync: it is on disk
    /// before this returns. Works offline and while a sync runs (the event then waits for the next
    /// sync). Throws <see cref="SyncException"/> with <see cref="ClientErrorCodes.LoginRequired"/>
    /// when no user ever logged in here.
    /// </summary>
    /// <param name="itemUuid">The item the event is about (1–256 characters).</param>
    /// <param name="action">What happened (1–128 characters), such as <c>create</c> or <c>update</c>.</param>
    /// <param name="payload">The event's data, usually JSON text.</param>
    public Event Record(string itemUuid, string action, string payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemUuid);
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(payload);
        var user = _store.ReadMeta().UserUuid
            ?? throw new SyncException(ClientErrorCodes.LoginRequired, "log in before recording events");
        var now = _time.GetUtcNow();
        var e = new Event(Guid.CreateVersion7(now).ToString(), (ulong)now.ToUnixTimeMilliseconds(), user, itemUuid, action, payload);
        _store.AddPending(e);
        RaiseChanged([e]);
        return e;
    }

    /// <summary>Closes the local store. The <see cref="HttpClient"/> is the caller's and stays open.</summary>
    public void Dispose()
    {
        _store.Dispose();
        _syncGate.Dispose();
    }

    /// <summary>Raises <see cref="Changed"/> for a change that added <paramref name="added"/> (none when only the status changed).</summary>
    private void RaiseChanged(IReadOnlyList<Event>? added = null)
    {
        try
        {
            Changed?.Invoke(this, added is { Count: > 0 } ? new ChangedEventArgs(added) : ChangedEventArgs.Nothing);
        }
        catch (Exception ex)
        {
            // A handler's bug must not break a sync half-way; it is the app's to fix.
            _logger.LogError(ex, "A Changed handler threw");
        }
    }

    /// <summary>The user uuid is the token's <c>sub</c> claim; the token is not verified here (the server does that).</summary>
    private static string SubjectOf(string token)
    {
        try
        {
            var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var claims = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            var subject = claims.RootElement.GetProperty("sub").GetString() ?? throw new JsonException("sub is null");
            // It becomes the userUuid of every event recorded here: one the server could never accept is a broken token.
            return EventRules.CheckText(subject, EventRules.MaxUserUuidLength) is { } problem
                ? throw new JsonException($"sub {problem}")
                : subject;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IndexOutOfRangeException or KeyNotFoundException
            or InvalidOperationException)
        {
            throw new SyncException(ClientErrorCodes.BadResponse, "the server's token carries no user uuid", innerException: ex);
        }
    }
}
