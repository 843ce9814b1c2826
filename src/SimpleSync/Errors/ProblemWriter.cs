using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using SimpleSync.Protocol;

namespace SimpleSync.Errors;

/// <summary>
/// The one place where errors become responses: every failure, whether thrown by our code or
/// produced by the framework (404, 405, body too large), leaves as RFC 9457 problem+json
/// with a <c>code</c> from <see cref="ErrorCodes"/>.
/// </summary>
internal sealed class ProblemWriter(IProblemDetailsService problems, ILogger<ProblemWriter> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return true;
        }
        var (code, detail, errors, retryAfter) = Describe(exception);
        var status = exception is ApiException api ? api.Status : ErrorStatus.For(code);
        if (code == ErrorCodes.Internal)
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        else if (code == ErrorCodes.Unavailable)
            logger.LogWarning("Storage unavailable on {Method} {Path}: {Detail}", context.Request.Method, context.Request.Path, detail);

        if (retryAfter is { } wait)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString();
        return await WriteAsync(problems, context, status, code, detail, errors);
    }

    /// <summary>Writes a problem response; also used by the authentication handler for 401/403.</summary>
    public static async ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string code,
        string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        context.Items[Http.RequestLogging.OutcomeKey] = code;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        problem.Extensions["code"] = code;
        if (errors is not null)
            problem.Extensions["errors"] = errors;
        if (await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
            return true;
        // The framework's writer declines when the Accept header does not admit JSON (a browser's
        // text/html, say), which would leave an error with an empty body. An API has no other form
        // to offer, so the problem goes out as problem+json regardless.
        await TypedResults.Problem(problem).ExecuteAsync(context);
        return true;
    }

    private static (string Code, string Detail, IReadOnlyDictionary<string, string[]>? Errors, TimeSpan? RetryAfter) Describe(Exception exception) =>
        exception switch
        {
            ApiException api => (api.Code, api.Message, api.Errors, api.RetryAfter),
            // Kestrel's own refusals: body over the limit, malformed framing, slow uploads.
            BadHttpRequestException bad => (ErrorStatus.CodeFor(bad.StatusCode), bad.Message, null, null),
            _ => (ErrorCodes.Internal, "internal error", null, null),
        };

    /// <summary>
    /// Status-code pages: a response the framework ended with an error status and no body (no
    /// route: 404; a route without this method: 405) gets the same problem+json as any other error.
    /// </summary>
    public static async Task WriteStatusPageAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status404NotFound => $"no endpoint at {http.Request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}",
            StatusCodes.Status415UnsupportedMediaType => "send the body as JSON, with the header Content-Type: application/json",
            _ => ReasonPhrases.GetReasonPhrase(status),
        };
        await WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http, status, ErrorStatus.CodeFor(status), detail);
    }

    /// <summary>Every problem carries a <c>code</c>, whoever made it.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (!problem.Extensions.ContainsKey("code"))
            problem.Extensions["code"] = ErrorStatus.CodeFor(status);
    }
}
