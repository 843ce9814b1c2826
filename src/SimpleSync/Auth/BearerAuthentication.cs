using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SimpleSync.Errors;
using SimpleSync.Metrics;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> tokens. Beyond the signature and expiry, the user
/// must still exist and carry the token's security stamp, so a password or username change
/// revokes older tokens at once. Admin status is read from the account on every request, not
/// from the token, so granting or revoking it takes effect at once. The metrics token
/// (<see cref="ScrapeToken"/>) is a bearer token too, accepted only where the endpoint says so.
/// </summary>
internal sealed class BearerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    TokenService tokens,
    ScrapeToken scrapeToken,
    IEventStore store,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "Bearer";
    public const string AdminRole = "admin";
    private const string FailureKey = "simple-sync.auth-failure";
    private const string InvalidToken = "the token is not valid (malformed, expired or revoked); log in again with POST /auth/token";

    // The base class logs every challenge at Information under this handler's category, which is
    // filtered out; our own rejection lines go to a category of their own.
    private readonly ILogger _rejections = loggers.CreateLogger("SimpleSync.Auth.Rejections");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Fail("the Authorization header must be 'Bearer <token>'", shown: "the Authorization header must be 'Bearer <token>'");

        var token = header["Bearer ".Length..].Trim();
        if (Context.GetEndpoint()?.Metadata.GetMetadata<ScrapeTokenAccepted>() is not null && scrapeToken.Accepts(token))
            return Scraper();
        var claims = tokens.Validate(token, out var reason);
        if (claims is null)
            return Fail(scrapeToken.WasPresented(token) ? "it is the metrics token, which only GET /metrics accepts" : reason);
        var user = await store.FindUserByUuidAsync(claims.Subject, Context.RequestAborted);
        if (user is null)
            return Fail("its user no longer exists");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.SecurityStamp), Encoding.UTF8.GetBytes(claims.Stamp)))
            return Fail("revoked by a password or username change");

        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Uuid));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Username));
        identity.AddClaim(new Claim(CurrentUser.StampClaim, claims.Stamp));
        identity.AddClaim(new Claim(CurrentUser.ExpiresClaim, claims.ExpiresAt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (user.Admin)
            identity.AddClaim(new Claim(ClaimTypes.Role, AdminRole));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// A scrape: authenticated, but no user, so nothing that acts for a user can run for it.
    /// Only an endpoint that accepts the metrics token ever sees this principal.
    /// </summary>
    private static AuthenticateResult Scraper()
    {
        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, ScrapeToken.Name));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// Why a token failed goes to the log, for the operator; the client gets one answer for every
    /// failure, so the 401 tells an attacker nothing about which check a forged token passed.
    /// </summary>
    private AuthenticateResult Fail(string why, string shown = InvalidToken)
    {
        Context.Items[FailureKey] = shown;
        _rejections.LogInformation("Rejected bearer token from {Address}: {Reason}", Context.Connection.RemoteIpAddress, why);
        return AuthenticateResult.Fail(why);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var shown = Context.Items[FailureKey] as string;
        Response.Headers.WWWAuthenticate = shown is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await ProblemWriter.WriteAsync(problems, Context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated,
            shown ?? "this endpoint needs 'Authorization: Bearer <token>'; get a token from POST /auth/token");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await ProblemWriter.WriteAsync(problems, Context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
            "this endpoint is for admins");
}

internal static class CurrentUser
{
    public const string StampClaim = "simple-sync.stamp";
    public const string ExpiresClaim = "simple-sync.expires";

    public static string Uuid(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public static string Username(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Name)!;

    /// <summary>The security stamp of the token this request came with.</summary>
    public static string Stamp(this ClaimsPrincipal user) => user.FindFirstValue(StampClaim)!;

    /// <summary>When the token this request came with expires.</summary>
    public static DateTimeOffset TokenExpires(this ClaimsPrincipal user) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(user.FindFirstValue(ExpiresClaim)!, System.Globalization.CultureInfo.InvariantCulture));
}
