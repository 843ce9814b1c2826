using Microsoft.AspNetCore.Http.HttpResults;
using SimpleSync.Admin;
using SimpleSync.Errors;
using SimpleSync.Http;
using SimpleSync.OpenApi;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Auth;

internal static class AuthEndpoints
{
    // Small bodies only: a login never needs more, and it is the one unauthenticated POST.
    private const long MaxBodyBytes = 16 * 1024;

    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").AllowAnonymous().WithTags("auth");
        group.MapPost("/token", IssueToken).WithName("issueToken")
            .Accepts<TokenRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithClientHeaders()
            .WithSummary("Exchange a username and password for a JWT");
        return group;
    }

    /// <summary>
    /// POST /auth/token. The throttle counts the attempt before the hash and refunds it on
    /// success; the hash runs on the hash workers, never on a request thread. An unknown username
    /// and a wrong password take the same work and give the same answer.
    /// </summary>
    private static async Task<Ok<TokenResponse>> IssueToken(HttpContext context, IEventStore store, TokenService tokens,
        LoginThrottle throttle, PasswordHasher hasher, HashWorkers workers, ILogger<LoginThrottle> logger)
    {
        var ct = context.RequestAborted;
        var address = context.Connection.RemoteIpAddress;
        var request = await RequestBody.ReadJsonAsync(context.Request, ProtocolJsonContext.Default.TokenRequest, MaxBodyBytes, ct);
        using var attempt = throttle.Begin(address, request.Username);
        var user = UserRules.CheckUsername(request.Username) is null
            ? await store.FindUserByNameAsync(request.Username, ct)
            : null;
        if (!await workers.RunAsync(() => hasher.Verify(request.Password, user?.PasswordHash), ct))
        {
            attempt.Failed();
            logger.LogInformation("Failed login from {Address}", address);
            throw new ApiException(ErrorCodes.Unauthenticated, "wrong username or password");
        }
        attempt.Succeeded();
        return TypedResults.Ok(new TokenResponse(tokens.Issue(user!)));
    }
}
