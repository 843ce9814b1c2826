using System.Net;
using SimpleSync.Errors;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>Every error is problem+json with a code, whatever the client says it accepts.</summary>
public sealed class ProblemFormatTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly string[] Accepts = ["text/html", "text/plain", "application/xml", "application/json", "*/*"];

    /// <summary>
    /// One error of each kind (authentication, authorisation, validation, an unknown path, a method the
    /// path does not take: GET on POST /auth/token), each asked for with every Accept header.
    /// </summary>
    private static readonly ApiScenario[] Errors =
    [
        .. Accepts.SelectMany(accept => new ApiScenario[]
        {
            new($"{accept}: anonymous /events", Caller.Anonymous, "GET", "/events", HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated),
            new($"{accept}: anonymous /acl", Caller.Anonymous, "GET", "/acl", HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated),
            new($"{accept}: alice /acl", Caller.Alice, "GET", "/acl", HttpStatusCode.Forbidden, ErrorCodes.Forbidden),
            new($"{accept}: alice /events?fromTimestamp=x", Caller.Alice, "GET", "/events?fromTimestamp=x", HttpStatusCode.BadRequest, ErrorCodes.Invalid),
            new($"{accept}: alice /nope", Caller.Alice, "GET", "/nope", HttpStatusCode.NotFound, ErrorCodes.NotFound),
            new($"{accept}: alice /auth/token", Caller.Alice, "GET", "/auth/token", HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed),
        }.Select(scenario => scenario with { Accept = accept })),
    ];

    public static TheoryData<string> ErrorNames => ApiScenarios.Names(Errors);

    [Theory]
    [MemberData(nameof(ErrorNames))]
    public async Task An_error_is_problem_json_with_its_code_whatever_the_accept_header(string scenario)
    {
        var row = Errors.Find(scenario);

        using var response = await row.SendAsync(shared);

        await row.AssertAnsweredAsync(response);
    }

    public static TheoryData<string> ListedCodes => [.. CodeList.Load.Errors.Select(e => e.Code)];

    /// <summary>The server sends each code of docs/codes.json with its first listed status, and reads each listed status back as a code listed with it.</summary>
    [Theory]
    [MemberData(nameof(ListedCodes))]
    public void The_status_of_every_code_is_the_one_codes_json_lists(string code)
    {
        var listed = CodeList.Load.Errors.Single(e => e.Code == code);

        Assert.Equal(listed.Statuses[0], ErrorStatus.For(code));
        Assert.Equal(listed.Statuses[0], new ApiException(code, "test").Status);
        Assert.All(listed.Statuses, status =>
            Assert.Contains(status, CodeList.Load.Errors.Single(e => e.Code == ErrorStatus.CodeFor(status)).Statuses));
    }
}
