using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using SimpleSync.Auth;

namespace SimpleSync.OpenApi;

/// <summary>
/// What holds for every operation and so is said once here rather than on each mapping line:
/// who may call it, the errors any endpoint of its kind can answer, and that every error is a
/// Problem. Runs after the endpoints' own metadata and per-endpoint transformers.
/// </summary>
internal sealed class OperationRules : IOpenApiOperationTransformer
{
    public const string SchemeName = "Bearer";

    private const string ProblemJson = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any();
        var responses = operation.Responses ??= [];
        if (anonymous)
        {
            // Stated, not left out: an operation without security inherits whatever a tool assumes.
            operation.Security = [];
        }
        else
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }];
            Add(responses, 401, "Missing, malformed, expired or revoked token (code unauthenticated)");
            if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy == BearerAuthentication.AdminRole))
                Add(responses, 403, "Not an administrator (code forbidden)");
        }
        if (operation.RequestBody is not null)
        {
            // Every body passes the request decompression middleware and the content type check.
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Content-Encoding",
                In = ParameterLocation.Header,
                Description = "The body may be compressed; bytes that are not what this says are 400 invalid. The body limits count the inflated bytes.",
                Schema = WireSchemas.Enum(["gzip", "deflate", "br"]),
            });
            Add(responses, 400, "The body is not valid JSON of the expected shape (code invalid)");
            Add(responses, 413, "The body is over a limit (code too_large)");
            Add(responses, 415, "The body is not sent as application/json (code invalid)");
        }
        // Every endpoint reads the store, which answers 503 when it is busy or unusable.
        Add(responses, 503, "The server cannot serve the request now (code unavailable); retry after Retry-After when given, else with backoff");
        Add(responses, 500, "An unexpected server fault (code internal)");
        foreach (var (status, response) in responses)
        {
            if (response is OpenApiResponse error && int.TryParse(status, CultureInfo.InvariantCulture, out var code) && code >= 400)
                DescribeError(error, code, context);
        }
        return Task.CompletedTask;
    }

    private static void Add(OpenApiResponses responses, int status, string description) =>
        responses.TryAdd(status.ToString(CultureInfo.InvariantCulture), new OpenApiResponse { Description = description });

    /// <summary>An error response is a Problem (unless the endpoint says otherwise, as /health's 503 does); 429 and 503 may say when to retry.</summary>
    private static void DescribeError(OpenApiResponse response, int status, OpenApiOperationTransformerContext context)
    {
        if (string.IsNullOrEmpty(response.Description))
            response.Description = ReasonPhrases.GetReasonPhrase(status);
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (response.Content.Count > 0 && !response.Content.ContainsKey(ProblemJson))
            return;
        response.Content[ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(SchemaRules.ProblemSchema, context.Document) };
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers.TryAdd("Retry-After", new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Schema = WireSchemas.Integer(1, int.MaxValue),
            });
        }
    }
}
