using Microsoft.Net.Http.Headers;
using SimpleSync.Sync;

namespace SimpleSync.Http;

/// <summary>
/// Cross-origin access for web apps on other origins, through the framework's CORS middleware:
/// only the origins in <c>server.cors_origins</c> (none by default, so browsers keep their
/// same-origin rule), every API route answers a preflight (which the headers the SDKs send on
/// every request, Sync-Device and Sync-Client, pass), and scripts may read the protocol's own
/// response headers. Tokens travel in the Authorization header, never in cookies, so
/// credentials mode is not needed and "*" may be allowed without handing out anyone's session.
/// </summary>
internal static class BrowserAccess
{
    private const string Policy = "simple-sync";

    /// <summary>Nothing at all when no origin is listed: browsers then keep their same-origin rule.</summary>
    public static IServiceCollection AddBrowserAccess(this IServiceCollection services, IReadOnlyList<string> origins) =>
        origins.Count == 0 ? services : services.AddCors(cors => cors.AddPolicy(Policy, policy =>
        {
            if (origins.Contains("*"))
                policy.AllowAnyOrigin();
            else
                policy.WithOrigins([.. origins]);
            policy.WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType, HeaderNames.ContentEncoding, StreamEndpoint.LastEventIdHeader,
                    SyncHeaders.Device, SyncHeaders.Client)
                .WithExposedHeaders(SyncHeaders.Cursor, SyncHeaders.Rejected, HeaderNames.RetryAfter)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));

    /// <summary>Before authentication and error pages, so a preflight (which carries no token) is answered and errors carry the headers too.</summary>
    public static IApplicationBuilder UseBrowserAccess(this IApplicationBuilder app, IReadOnlyList<string> origins) =>
        origins.Count == 0 ? app : app.UseCors(Policy);
}
