using System.Text.Json.Serialization;

namespace SimpleSync.Protocol;

/// <summary>Body of <c>POST /auth/token</c>.</summary>
/// <param name="Username">The account's username.</param>
/// <param name="Password">The account's password.</param>
public sealed record TokenRequest(string Username, string Password);

/// <summary>Answer of <c>POST /auth/token</c>.</summary>
/// <param name="Token">A JWT to send as <c>Authorization: Bearer</c>.</param>
public sealed record TokenResponse(string Token);

/// <summary>Body of <c>POST /admin/users</c>.</summary>
/// <param name="Uuid">The new user's uuid (any text of 1–128 characters).</param>
/// <param name="Username">1–64 of <c>A-Z a-z 0-9 . _ -</c>, unique.</param>
/// <param name="Password">At least 8 characters.</param>
public sealed record CreateUserRequest(string Uuid, string Username, string Password);

/// <summary>Answer of <c>POST /admin/users</c>.</summary>
/// <param name="Uuid">The created user's uuid.</param>
public sealed record CreateUserResponse(string Uuid);

/// <summary>Body of <c>PUT /admin/users/{uuid}</c>: at least one of the three.</summary>
/// <param name="NewUsername">The new username, if it changes (the account keeps its admin status).</param>
/// <param name="NewPassword">The new password, if it changes.</param>
/// <param name="Admin">True to make the account an admin, false to revoke it (refused for the last admin).</param>
public sealed record UpdateUserRequest(
    [property: JsonPropertyName("new_username")] string? NewUsername = null,
    [property: JsonPropertyName("new_password")] string? NewPassword = null,
    [property: JsonPropertyName("admin")] bool? Admin = null);

/// <summary>Answer of <c>GET /health</c>.</summary>
/// <param name="Status"><c>ok</c>, or <c>unavailable</c> when storage cannot be used.</param>
/// <param name="Version">The server's version.</param>
/// <param name="Storage">The storage provider in use.</param>
public sealed record HealthResponse(string Status, string Version, string Storage);

/// <summary>One entry of <c>GET /admin/users</c>.</summary>
/// <param name="Uuid">The user's uuid.</param>
/// <param name="Username">The user's username.</param>
/// <param name="Admin">Whether the account is an admin (granted by <c>auth.admins</c> or by another admin).</param>
/// <param name="CreatedAt">When the account was created.</param>
public sealed record UserInfo(string Uuid, string Username, bool Admin, DateTimeOffset CreatedAt);
