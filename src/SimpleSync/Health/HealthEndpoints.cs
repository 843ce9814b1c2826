using Microsoft.AspNetCore.Http.HttpResults;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Health;

internal static class HealthEndpoints
{
    public static string Version { get; } =
        typeof(HealthEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> (IEventStore store, CancellationToken ct) =>
        {
            var healthy = await store.IsHealthyAsync(ct);
            var body = new HealthResponse(healthy ? "ok" : "unavailable", Version, store.Provider);
            return healthy ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        })
        // A JSON result's status is a value, not part of its type, so the 503 is declared by hand.
        .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable)
        .WithName("health").WithTags("health").WithSummary("Liveness and storage health").AllowAnonymous();
}
