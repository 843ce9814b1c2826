using System.Diagnostics;
using System.Net;
using System.Security.Claims;

namespace SimpleSync.Http;

/// <summary>
/// One structured line per request once it is answered: request id, method, route (the pattern,
/// not the raw path with its values), status, duration, client address, the user's uuid and the
/// outcome (the problem code for errors). A request that matched no route is logged with its path
/// instead, made safe to print. Never a query string, a header, a token, a password or a payload.
/// </summary>
internal static partial class RequestLogging
{
    public const string OutcomeKey = "simple-sync.outcome";

    /// <summary>Longest logged path, in characters after escaping; Kestrel admits request lines of 8 KiB.</summary>
    public const int MaxPathLength = 200;

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("SimpleSync.Requests");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            // Routing has run by now. The exception handler clears the endpoint before it writes a
            // problem, so an error answer would otherwise be logged as if it had matched no route.
            var endpoint = context.GetEndpoint();
            try
            {
                await next(context);
            }
            finally
            {
                if (logger.IsEnabled(LogLevel.Information))
                    Log(logger, context, context.GetEndpoint() ?? endpoint, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    private static void Log(ILogger logger, HttpContext context, Endpoint? matched, double elapsedMs)
    {
        // Read once the request is over: the forwarded-headers middleware, for a trusted proxy,
        // has put the original client's address here by then.
        var client = Address(context.Connection.RemoteIpAddress);
        // A principal that is no user (a scrape with the metrics token) shows its name in parentheses.
        var user = context.User.Identity?.IsAuthenticated != true ? "-"
            : context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? $"({context.User.Identity.Name})";
        var outcome = context.Items[OutcomeKey] as string ?? (context.RequestAborted.IsCancellationRequested ? "aborted" : "ok");
        var (method, status) = (context.Request.Method, context.Response.StatusCode);
        if (matched is RouteEndpoint endpoint)
            Answered(logger, context.TraceIdentifier, method, endpoint.RoutePattern.RawText ?? "", status, elapsedMs, client, user, outcome);
        else
            Unrouted(logger, context.TraceIdentifier, method, SafePath(context.Request.Path), status, elapsedMs, client, user, outcome);
    }

    private static string Address(IPAddress? address) => address switch
    {
        null => "-",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };

    /// <summary>
    /// The path as it would appear in a URL: percent-encoded, so it holds no space, control or
    /// non-ASCII character and a crafted path cannot end the line, forge another field or another
    /// line, or send escape sequences to a terminal; then cut to at most
    /// <see cref="MaxPathLength"/> characters, never inside an escape or a UTF-8 sequence, with "…"
    /// (which the encoded form cannot contain) marking the cut.
    /// </summary>
    public static string SafePath(PathString path)
    {
        var encoded = path.HasValue ? path.ToUriComponent() : "/";
        if (encoded.Length <= MaxPathLength)
            return encoded;
        var cut = MaxPathLength;
        var percent = encoded.LastIndexOf('%', cut - 1, 3);
        if (percent >= 0 && percent + 3 > cut)
            cut = percent;
        while (cut >= 3 && IsContinuationByte(encoded, cut) && encoded[cut - 3] == '%')
            cut -= 3;
        return encoded[..cut] + "…";
    }

    /// <summary>Whether an escape of a UTF-8 continuation byte (%80 to %BF) starts at <paramref name="at"/>.</summary>
    private static bool IsContinuationByte(string encoded, int at) =>
        at + 2 < encoded.Length && encoded[at] == '%'
        && byte.TryParse(encoded.AsSpan(at + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b)
        && b is >= 0x80 and <= 0xBF;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{RequestId} {Method} {Route} {Status} {ElapsedMs:0.0}ms client={Client} user={User} outcome={Outcome}")]
    private static partial void Answered(ILogger logger, string requestId, string method, string route, int status,
        double elapsedMs, string client, string user, string outcome);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "{RequestId} {Method} (no route) {Path} {Status} {ElapsedMs:0.0}ms client={Client} user={User} outcome={Outcome}")]
    private static partial void Unrouted(ILogger logger, string requestId, string method, string path, int status,
        double elapsedMs, string client, string user, string outcome);
}
