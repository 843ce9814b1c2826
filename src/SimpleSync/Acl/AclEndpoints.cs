using Microsoft.AspNetCore.Http.HttpResults;
using SimpleSync.Auth;
using SimpleSync.Errors;
using SimpleSync.Http;
using SimpleSync.OpenApi;
using SimpleSync.Protocol;
using SimpleSync.Storage;

namespace SimpleSync.Acl;

internal static class AclEndpoints
{
    // An ACL is a short list of rules; a megabyte is thousands of them.
    private const long MaxAclBytes = 1024 * 1024;

    public static RouteGroupBuilder MapAcl(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/acl").RequireAuthorization(BearerAuthentication.AdminRole).WithTags("acl");
        group.MapGet("/", GetAcl).WithName("getAcl").WithSummary("The current ACL");
        group.MapPut("/", PutAcl).WithName("putAcl")
            .Accepts<AclDocument>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Replace the whole ACL");
        group.MapGet("/history", GetHistory).WithName("getAclHistory").WithSummary("Every ACL change, oldest first");
        group.MapGet("/explain", Explain).WithName("explainAcl").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithRequiredQuery("user", WireSchemas.EventText(EventRules.MaxUserUuidLength), "The user uuid of the event, as in userUuid")
            .WithRequiredQuery("item", WireSchemas.EventText(EventRules.MaxItemUuidLength), "The item uuid of the event, as in itemUuid")
            .WithRequiredQuery("action", WireSchemas.EventText(EventRules.MaxActionLength), "The action of the event")
            .WithSummary("Which rule decides whether a push of this user, item and action is accepted, and why")
            .WithDescription("Evaluates the current ACL exactly as a push does: the first rule that matches decides; none denies. "
                + "Each value is held to the rules of the event field it stands for (400 invalid naming the parameter).");
        return group;
    }

    private static async Task<Ok<AclDocument>> GetAcl(IEventStore store, CancellationToken ct) =>
        TypedResults.Ok(new AclDocument((await store.GetAclAsync(ct)).Rules));

    /// <summary>PUT /acl: validated as a whole, then replaced in one transaction; an invalid ACL changes nothing.</summary>
    private static async Task<NoContent> PutAcl(HttpContext context, IEventStore store, TimeProvider time, ILoggerFactory loggers)
    {
        var ct = context.RequestAborted;
        using var body = await RequestBody.ReadAsync(context.Request, MaxAclBytes, ct);
        var rules = AclParser.Parse(body.Span, out var errors)
            ?? throw ApiException.Invalid($"the ACL is invalid: {FirstError(errors)}", errors);
        var version = await store.ReplaceAclAsync(rules, context.User.Username(), time.GetUtcNow(), ct);
        loggers.CreateLogger("SimpleSync.Acl").LogInformation("ACL version {Version} set by {User} with {Count} rules", version, context.User.Username(), rules.Count);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<AclChange>>> GetHistory(IEventStore store, CancellationToken ct)
    {
        var history = await store.GetAclHistoryAsync(ct);
        return TypedResults.Ok(history.Select(v => new AclChange(v.Version, v.ChangedAt!.Value, v.ChangedBy!, v.Rules)).ToList());
    }

    /// <summary>
    /// GET /acl/explain: the decision of the policy pushes use (the same cached <see cref="AclProvider"/>
    /// and <see cref="AclPolicy.Decide"/>), so the answer is what a push of such an event gets now.
    /// </summary>
    private static async Task<Ok<AclExplanation>> Explain(HttpRequest request, AclProvider acl, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var user = QueryValues.Text(request.Query, "user", EventRules.MaxUserUuidLength, errors);
        var item = QueryValues.Text(request.Query, "item", EventRules.MaxItemUuidLength, errors);
        var action = QueryValues.Text(request.Query, "action", EventRules.MaxActionLength, errors);
        QueryValues.ThrowIfAny(errors);
        var policy = await acl.CurrentAsync(ct);
        return TypedResults.Ok(AclExplainer.Explain(policy, user!, item!, action!));
    }

    public static string FirstError(IReadOnlyDictionary<string, string[]> errors)
    {
        var (key, problems) = errors.First();
        var more = errors.Count > 1 ? $" (and {errors.Count - 1} more)" : "";
        return $"{key}: {problems[0]}{more}";
    }
}
