namespace SimpleSync.Protocol;

/// <summary>
/// The closed list of error codes a problem response can carry in its <c>code</c> member.
/// Every SDK maps exactly this list; a test keeps them in agreement.
/// </summary>
public static class ErrorCodes
{
    /// <summary>No valid bearer token (HTTP 401).</summary>
    public const string Unauthenticated = "unauthenticated";
    /// <summary>Authenticated, but not allowed (HTTP 403).</summary>
    public const string Forbidden = "forbidden";
    /// <summary>No such resource or route (HTTP 404).</summary>
    public const string NotFound = "not_found";
    /// <summary>The route exists but not for this method (HTTP 405).</summary>
    public const string MethodNotAllowed = "method_not_allowed";
    /// <summary>The request is malformed or fails validation (HTTP 400).</summary>
    public const string Invalid = "invalid";
    /// <summary>The request clashes with existing data, such as a taken username or the last admin (HTTP 400, as the seed API answers a taken uuid or username).</summary>
    public const string Conflict = "conflict";
    /// <summary>The request body or batch is over a configured limit (HTTP 413).</summary>
    public const string TooLarge = "too_large";
    /// <summary>Too many attempts; retry after the time in <c>Retry-After</c> (HTTP 429).</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>The server cannot serve the request now, usually storage trouble (HTTP 503).</summary>
    public const string Unavailable = "unavailable";
    /// <summary>An unexpected server fault (HTTP 500).</summary>
    public const string Internal = "internal";

    /// <summary>Every error code, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Unauthenticated, Forbidden, NotFound, MethodNotAllowed, Invalid, Conflict,
        TooLarge, RateLimited, Unavailable, Internal,
    ];
}

/// <summary>
/// The closed list of reasons the server gives for refusing one pushed event while it stores
/// the rest of the batch.
/// </summary>
public static class RejectionReasons
{
    /// <summary>No ACL rule allows this user, item and action (or the first match denies).</summary>
    public const string AclDenied = "acl_denied";
    /// <summary>A field is missing, of the wrong type, out of range, or unknown.</summary>
    public const string InvalidField = "invalid_field";
    /// <summary>The uuid is already in the history with different content.</summary>
    public const string UuidConflict = "uuid_conflict";
    /// <summary>The event's <c>userUuid</c> is not the authenticated user.</summary>
    public const string UserMismatch = "user_mismatch";
    /// <summary>The payload is larger than the server's <c>limits.max_payload_bytes</c>.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>Every rejection reason, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
        [AclDenied, InvalidField, UuidConflict, UserMismatch, PayloadTooLarge];
}
