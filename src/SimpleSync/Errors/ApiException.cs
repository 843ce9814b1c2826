using SimpleSync.Protocol;

namespace SimpleSync.Errors;

/// <summary>
/// The one error type of the server: a code from <see cref="ErrorCodes"/> and a sentence that
/// says what was wrong and where. <see cref="ProblemWriter"/> turns it into problem+json.
/// </summary>
internal sealed class ApiException(string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public string Code { get; } = code;

    /// <summary>Field path → problems, for validation errors.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>For <see cref="ErrorCodes.RateLimited"/>: when the client may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public int Status => ErrorStatus.For(Code);

    public static ApiException Invalid(string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new(ErrorCodes.Invalid, detail, errors);
}

/// <summary>The one map from error code to HTTP status, and back for responses the framework makes.</summary>
internal static class ErrorStatus
{
    public static int For(string code) => code switch
    {
        ErrorCodes.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ErrorCodes.Invalid => StatusCodes.Status400BadRequest,
        // The seed API answers a taken uuid or username with 400; the code tells it from other 400s.
        ErrorCodes.Conflict => StatusCodes.Status400BadRequest,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthenticated,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.TooLarge,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Unavailable,
        >= 400 and < 500 => ErrorCodes.Invalid,
        _ => ErrorCodes.Internal,
    };
}
