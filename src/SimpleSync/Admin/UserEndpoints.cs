using Microsoft.AspNetCore.Http.HttpResults;
using SimpleSync.Auth;
using SimpleSync.Errors;
using SimpleSync.Http;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Sync;

namespace SimpleSync.Admin;

internal static class UserEndpoints
{
    private const long MaxBodyBytes = 16 * 1024;

    /// <summary>The log category of account changes.</summary>
    private const string LogCategory = "SimpleSync.Admin.Users";

    public static RouteGroupBuilder MapAdminUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/users").RequireAuthorization(BearerAuthentication.AdminRole).WithTags("admin");
        group.MapGet("/", ListUsers).WithName("listUsers").WithSummary("List users");
        group.MapPost("/", CreateUser).WithName("createUser")
            .Accepts<CreateUserRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Create a user");
        group.MapPut("/{uuid}", UpdateUser).WithName("updateUser")
            .Accepts<UpdateUserRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Change a user's username, password or admin status; a new username or password revokes their tokens");
        return group;
    }

    private static async Task<Ok<List<UserInfo>>> ListUsers(IEventStore store, CancellationToken ct)
    {
        var users = await store.ListUsersAsync(ct);
        return TypedResults.Ok(users.Select(u => new UserInfo(u.Uuid, u.Username, u.Admin, u.CreatedAt)).ToList());
    }

    /// <summary>POST /admin/users. A taken uuid or username is 400 with code "conflict", as the seed API says.</summary>
    private static async Task<Created<CreateUserResponse>> CreateUser(HttpContext context, IEventStore store, PasswordHasher hasher, HashWorkers workers,
        AdminGrants grants, TimeProvider time, ILoggerFactory loggers)
    {
        var ct = context.RequestAborted;
        var request = await RequestBody.ReadJsonAsync(context.Request, ProtocolJsonContext.Default.CreateUserRequest, MaxBodyBytes, ct);
        ThrowIfInvalid(
            ("uuid", UserRules.CheckUuid(request.Uuid)),
            ("username", UserRules.CheckUsername(request.Username)),
            ("password", UserRules.CheckPassword(request.Password)));
        var hash = await workers.RunAsync(() => hasher.Hash(request.Password), ct);
        var user = new StoredUser(request.Uuid, request.Username, hash, PasswordHasher.NewStamp(), time.GetUtcNow());
        await store.CreateUserAsync(user, ct);
        await grants.ApplyAsync(ct);
        loggers.CreateLogger(LogCategory).LogInformation("User {Username} ({Uuid}) created by {Admin}", user.Username, user.Uuid, context.User.Username());
        return TypedResults.Created($"/admin/users/{Uri.EscapeDataString(user.Uuid)}", new CreateUserResponse(user.Uuid));
    }

    /// <summary>
    /// PUT /admin/users/{uuid}: a new username or password gives the user a new security stamp,
    /// revoking their tokens; admin status changes alone leave tokens valid (it is read per request).
    /// </summary>
    private static async Task<NoContent> UpdateUser(string uuid, HttpContext context, IEventStore store, PasswordHasher hasher,
        HashWorkers workers, AdminGrants grants, StreamRevocation streams, TimeProvider time, ILoggerFactory loggers)
    {
        var ct = context.RequestAborted;
        var request = await RequestBody.ReadJsonAsync(context.Request, ProtocolJsonContext.Default.UpdateUserRequest, MaxBodyBytes, ct);
        if (request is { NewUsername: null, NewPassword: null, Admin: null })
            throw ApiException.Invalid("give new_username, new_password, admin or several of them");
        ThrowIfInvalid(
            ("new_username", request.NewUsername is null ? null : UserRules.CheckUsername(request.NewUsername)),
            ("new_password", request.NewPassword is null ? null : UserRules.CheckPassword(request.NewPassword)));

        // Admin status first: refused for the last admin, and then nothing else has changed either.
        if (request.Admin is { } admin)
        {
            if (!await store.SetAdminAsync(uuid, admin, ct))
                throw new ApiException(ErrorCodes.NotFound, $"no user with uuid '{uuid}'");
        }
        if (request.NewUsername is not null || request.NewPassword is not null)
        {
            var hash = request.NewPassword is not { } password ? null : await workers.RunAsync(() => hasher.Hash(password), ct);
            if (!await store.UpdateUserAsync(uuid, request.NewUsername, hash, PasswordHasher.NewStamp(), time.GetUtcNow(), ct))
                throw new ApiException(ErrorCodes.NotFound, $"no user with uuid '{uuid}'");
            // Their tokens stop working now: so do the live streams those tokens opened.
            streams.EndFor(uuid);
            if (request.NewUsername is not null)
                await grants.ApplyAsync(ct);
        }
        loggers.CreateLogger(LogCategory).LogInformation("User {Uuid} updated by {Admin}", uuid, context.User.Username());
        return TypedResults.NoContent();
    }

    private static void ThrowIfInvalid(params (string Field, string? Problem)[] checks)
    {
        var errors = checks.Where(c => c.Problem is not null).ToDictionary(c => c.Field, c => new[] { c.Problem! });
        if (errors.Count > 0)
            throw ApiException.Invalid($"{errors.First().Key}: {errors.First().Value[0]}", errors);
    }
}
