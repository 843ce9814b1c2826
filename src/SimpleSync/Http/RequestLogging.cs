using System.Diagnostics;
using SimpleSync.Auth;

namespace SimpleSync.Http;

/// <summary>
/// One structured line per request once it is answered: request id, method, route (the pattern,
/// not the raw path with its values), status, duration, the user's uuid and the outcome (the
/// problem code for errors). Never a header, a token, a password or a payload.
/// </summary>
internal static partial class RequestLogging
{
    public const string OutcomeKey = "simple-sync.outcome";

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("SimpleSync.Requests");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
                    var user = context.User.Identity?.IsAuthenticated == true ? context.User.Uuid() : "-";
                    var outcome = context.Items[OutcomeKey] as string ?? (context.RequestAborted.IsCancellationRequested ? "aborted" : "ok");
                    Answered(logger, context.TraceIdentifier, context.Request.Method, route, context.Response.StatusCode,
                        Stopwatch.GetElapsedTime(started).TotalMilliseconds, user, outcome);
                }
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{RequestId} {Method} {Route} {Status} {ElapsedMs:0.0}ms user={User} outcome={Outcome}")]
    private static partial void Answered(ILogger logger, string requestId, string method, string route, int status,
        double elapsedMs, string user, string outcome);
}
