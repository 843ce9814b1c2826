using System.Net;
using SimpleSync.Protocol;

namespace SimpleSync.Client;

/// <summary>
/// The one error type of the SDK. <see cref="Code"/> is one of the server's
/// <see cref="ErrorCodes"/> or one of the client's own <see cref="ClientErrorCodes"/>; branch on
/// it (or on <see cref="IsTransient"/>) rather than on the message.
/// </summary>
public sealed class SyncException : Exception
{
    /// <summary>Creates an error with a code from <see cref="ErrorCodes"/> or <see cref="ClientErrorCodes"/>.</summary>
    public SyncException(string code, string message, HttpStatusCode? status = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Status = status;
    }

    /// <summary>What went wrong, as a stable code: one of <see cref="ErrorCodes"/> or <see cref="ClientErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status the server answered with, or null when there was no answer.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>For <see cref="ErrorCodes.RateLimited"/>: how long the server asked to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// True when retrying the same call later may succeed without any change: network failures,
    /// <see cref="ErrorCodes.RateLimited"/>, <see cref="ErrorCodes.Unavailable"/> and
    /// <see cref="ErrorCodes.Internal"/>. Everything else needs a change first (log in again, fix the client).
    /// </summary>
    public bool IsTransient => Code is ClientErrorCodes.Network or ErrorCodes.RateLimited or ErrorCodes.Unavailable or ErrorCodes.Internal;

    /// <summary>True when the user must log in again (<see cref="ClientErrorCodes.LoginRequired"/>). Pending events are kept.</summary>
    public bool IsLoginRequired => Code == ClientErrorCodes.LoginRequired;
}

/// <summary>
/// Error codes the client raises itself, beside the server's <see cref="ErrorCodes"/>. With them
/// the list of codes a <see cref="SyncException"/> can carry is closed.
/// </summary>
public static class ClientErrorCodes
{
    /// <summary>
    /// No login is stored, or the server answered 401 (the token expired, or the password or
    /// username changed). Call <see cref="SyncClient.LoginAsync"/>; pending events are kept.
    /// </summary>
    public const string LoginRequired = "login_required";

    /// <summary>The server could not be reached or the connection failed or timed out: retry later.</summary>
    public const string Network = "network";

    /// <summary>The server's answer could not be read as the protocol says: a server or proxy problem.</summary>
    public const string BadResponse = "bad_response";

    /// <summary>Every client-side code, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [LoginRequired, Network, BadResponse];
}
