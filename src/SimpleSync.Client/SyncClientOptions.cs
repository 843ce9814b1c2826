namespace SimpleSync.Client;

/// <summary>
/// Transport settings of a <see cref="SyncClient"/>. The defaults suit a SimpleSync server with
/// its default limits; change them only for a reason (a trusted plain-HTTP network, a tighter
/// memory budget).
/// </summary>
public sealed class SyncClientOptions
{
    /// <summary>The default of <see cref="MaxPushEvents"/>: the server's default <c>limits.max_events_per_push</c>.</summary>
    internal const int DefaultMaxPushEvents = 10_000;

    /// <summary>The default of <see cref="MaxPushBytes"/>: 4 MiB, a quarter of the server's default <c>limits.max_body_bytes</c>.</summary>
    internal const int DefaultMaxPushBytes = 4 * 1024 * 1024;

    /// <summary>The default of <see cref="MaxResponseBytes"/>: 64 MiB.</summary>
    internal const int DefaultMaxResponseBytes = 64 * 1024 * 1024;

    /// <summary>The default of <see cref="MaxStreamMessageBytes"/>: 16 MiB.</summary>
    internal const int DefaultMaxStreamMessageBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Allows a plain <c>http://</c> server address on a host other than this machine. Off by
    /// default: the password and the token would cross the network unencrypted. Loopback
    /// addresses (<c>localhost</c>, 127.0.0.0/8, <c>::1</c>) are always allowed.
    /// </summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>
    /// At most this many events in one push (<c>POST /sync</c>); more pending events go in further
    /// pushes of the same sync. At least 1.
    /// </summary>
    public int MaxPushEvents { get; init; } = DefaultMaxPushEvents;

    /// <summary>
    /// At most this many bytes in the body of one push; a single event larger than this is still
    /// pushed, alone. When the server answers 413 the client halves both limits for the rest of
    /// its life. At least 1.
    /// </summary>
    public int MaxPushBytes { get; init; } = DefaultMaxPushBytes;

    /// <summary>
    /// The largest answer body the client reads; a larger one fails with
    /// <see cref="ClientErrorCodes.BadResponse"/>. At least 1.
    /// </summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    /// <summary>
    /// The largest message of the live stream (the bytes between two blank lines); a larger one
    /// fails with <see cref="ClientErrorCodes.BadResponse"/>. At least 1.
    /// </summary>
    public int MaxStreamMessageBytes { get; init; } = DefaultMaxStreamMessageBytes;

    /// <summary>
    /// The app's name, sent after the SDK's in the <c>Sync-Client</c> header of every request
    /// (<c>simplesync-dotnet/0.1.0 todo-cli/1.2.0</c>) so that the server can tell which app and
    /// version each device runs. Optional; when set, 1–64 characters of an HTTP token: letters,
    /// digits and <c>!#$%&amp;'*+-.^_`|~</c> (no spaces, no <c>/</c>).
    /// </summary>
    public string? AppName { get; init; }

    /// <summary>
    /// The app's version, sent as <c>AppName/AppVersion</c> in the <c>Sync-Client</c> header.
    /// Optional, and only with <see cref="AppName"/>; the same characters as it.
    /// </summary>
    public string? AppVersion { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first limit below 1, or
    /// <see cref="ArgumentException"/> naming an app name or version that cannot be sent.
    /// </summary>
    internal void Validate()
    {
        Positive(MaxPushEvents, nameof(MaxPushEvents));
        Positive(MaxPushBytes, nameof(MaxPushBytes));
        Positive(MaxResponseBytes, nameof(MaxResponseBytes));
        Positive(MaxStreamMessageBytes, nameof(MaxStreamMessageBytes));
        Product(AppName, nameof(AppName));
        Product(AppVersion, nameof(AppVersion));
        if (AppVersion is not null && AppName is null)
            throw new ArgumentException($"{nameof(SyncClientOptions)}.{nameof(AppVersion)} needs {nameof(AppName)} as well", nameof(AppVersion));
    }

    private static void Product(string? value, string name)
    {
        if (value is not null && !ClientIdentity.IsProductPart(value))
        {
            throw new ArgumentException(
                $"{nameof(SyncClientOptions)}.{name} must be 1–{ClientIdentity.MaxProductPartLength} letters, digits or !#$%&'*+-.^_`|~ (an HTTP token, no spaces or '/'), not '{value}'",
                name);
        }
    }

    private static void Positive(int value, string name) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, $"{nameof(SyncClientOptions)}.{name}");
}
