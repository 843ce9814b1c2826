using SimpleSync.Admin;
using SimpleSync.Config;
using SimpleSync.Errors;
using SimpleSync.Http;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Auth;

internal static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").AllowAnonymous();
        group.MapPost("/token", IssueToken)
            .Accepts<TokenRequest>("application/json").Produces<TokenResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).WithSummary("Exchange a username and password for a JWT");
        return group;
    }

    /// <summary>
    /// POST /auth/token. Throttled per client address on failures only. An unknown username and
    /// a wrong password take the same work and give the same answer.
    /// </summary>
    private static async Task<IResult> IssueToken(HttpContext context, IEventStore store, TokenService tokens,
        LoginThrottle throttle, SimpleSyncOptions options, ILogger<TokenService> logger)
    {
        var ct = context.RequestAborted;
        var address = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(address) is { } wait)
        {
            throw new ApiException(ErrorCodes.RateLimited, "too many failed logins from this address; try again later")
            {
                RetryAfter = wait,
            };
        }

        // Small bodies only: a login never needs more, and it is the one unauthenticated POST.
        var request = await RequestBody.ReadJsonAsync(context.Request, ProtocolJsonContext.Default.TokenRequest, 16 * 1024, ct);
        var user = UserRules.CheckUsername(request.Username) is null
            ? await store.FindUserByNameAsync(request.Username, ct)
            : null;
        if (!PasswordHasher.Verify(request.Password, user?.PasswordHash))
        {
            throttle.RecordFailure(address);
            logger.LogInformation("Failed login from {Address}", address);
            throw new ApiException(ErrorCodes.Unauthenticated, "wrong username or password");
        }
        return TypedResults.Ok(new TokenResponse(tokens.Issue(user!)));
    }
}
