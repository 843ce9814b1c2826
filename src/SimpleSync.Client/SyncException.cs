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
    // Internal: the SDK alone raises these, so the set of codes stays closed.
    internal SyncException(string code, string message, HttpStatusCode? status = null, Exception? innerException = null)
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
    public bool IsTransient => TransientOf(Code) ?? false;

    /// <summary>
    /// Whether a code is transient, or null for a code this SDK does not know. Every code of both
    /// lists is named here on purpose, so a new code is a decision rather than a silent default;
    /// a test checks that this covers exactly ErrorCodes.All and ClientErrorCodes.All.
    /// </summary>
    internal static bool? TransientOf(string code) => code switch
    {
        ClientErrorCodes.Network or ErrorCodes.RateLimited or ErrorCodes.Unavailable or ErrorCodes.Internal => true,
        ErrorCodes.Unauthenticated or ErrorCodes.Forbidden or ErrorCodes.NotFound or ErrorCodes.MethodNotAllowed
            or ErrorCodes.Invalid or ErrorCodes.Conflict or ErrorCodes.TooLarge
            or ClientErrorCodes.LoginRequired or ClientErrorCodes.BadResponse => false,
        // Unreachable in practice: the SDK raises listed codes only (an unknown server code is replaced by the one of its status).
        _ => null,
    };

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
