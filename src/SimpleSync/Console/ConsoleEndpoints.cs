using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;
using SimpleSync.Errors;
using SimpleSync.Protocol;

// Not SimpleSync.Console: a namespace of that name would hide System.Console from the code of
// every other SimpleSync.* namespace.
namespace SimpleSync.WebConsole;

/// <summary>
/// The operator console at /console: static files from the executable, open to anyone (they hold
/// no data; every page reads the API with the admin's token). Served by a middleware branch, as
/// static files are, rather than by endpoints: they are not API, so they stay out of the route
/// table that the OpenAPI document describes in full.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string PathPrefix = "/console";

    /// <summary>
    /// The console runs only its own files and talks only to this server: no inline script or
    /// style (an injected one would not run), no other origin, no framing, no form posts.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string Index = "index.html";

    /// <summary>After the pipeline's own middleware, so that errors, compression and the request log apply here too.</summary>
    public static IApplicationBuilder MapConsole(this IApplicationBuilder app)
    {
        var files = ConsoleFiles.Load();
        return app.Map(PathPrefix, console => console.Run(context => ServeAsync(context, files)));
    }

    /// <summary>
    /// Looks the rest of the path up among the embedded files by exact name, so that no spelling
    /// of a path (dot segments, encoded slashes) can reach anything else.
    /// </summary>
    private static async Task ServeAsync(HttpContext context, FrozenDictionary<string, ConsoleFile> files)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            headers.Allow = "GET, HEAD";
            await FailAsync(context, StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed,
                $"{request.Method} is not allowed on {request.PathBase}{request.Path}");
            return;
        }
        // "/console" and "/console/" are the index; "/console/pages/users.js" is "pages/users.js".
        var path = request.Path.Value ?? "";
        var name = path is "" or "/" ? Index : path[1..];
        if (!files.TryGetValue(name, out var file))
        {
            await FailAsync(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"the console has no file {request.PathBase}{request.Path}");
            return;
        }
        // Revalidated on every use, so a new server version's files are picked up at once.
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETagText;
        if (IsCurrent(request, file.ETag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = file.ContentType;
        context.Response.ContentLength = file.Content.Length;
        if (!HttpMethods.IsHead(request.Method))
            await context.Response.Body.WriteAsync(file.Content, context.RequestAborted);
    }

    private static ValueTask<bool> FailAsync(HttpContext context, int status, string code, string detail) =>
        ProblemWriter.WriteAsync(context.RequestServices.GetRequiredService<IProblemDetailsService>(), context, status, code, detail);

    private static bool IsCurrent(HttpRequest request, EntityTagHeaderValue etag) =>
        request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
}
