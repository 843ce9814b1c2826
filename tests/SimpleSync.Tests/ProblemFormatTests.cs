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

    public static TheoryData<string, string, string, int, string> EndpointErrors()
    {
        var data = new TheoryData<string, string, string, int, string>();
        foreach (var accept in Accepts)
        {
            data.Add(accept, "anonymous", "/events", 401, ErrorCodes.Unauthenticated);
            data.Add(accept, "anonymous", "/acl", 401, ErrorCodes.Unauthenticated);
            data.Add(accept, "alice", "/acl", 403, ErrorCodes.Forbidden);
            data.Add(accept, "alice", "/events?fromTimestamp=x", 400, ErrorCodes.Invalid);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EndpointErrors))]
    public async Task An_error_is_problem_json_with_its_code_whatever_the_accept_header(
        string accept, string who, string path, int status, string code)
    {
        using var response = await GetAsync(accept, who, path);

        await response.AssertProblemAsync((HttpStatusCode)status, code);
    }

    public static TheoryData<string, string, string, int, string> RoutingErrors()
    {
        var data = new TheoryData<string, string, string, int, string>();
        foreach (var accept in Accepts)
        {
            data.Add(accept, "alice", "/nope", 404, ErrorCodes.NotFound);
            data.Add(accept, "alice", "/auth/token", 405, ErrorCodes.MethodNotAllowed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RoutingErrors))]
    public async Task A_404_or_405_is_problem_json_with_its_code_whatever_the_accept_header(
        string accept, string who, string path, int status, string code)
    {
        using var response = await GetAsync(accept, who, path);

        await response.AssertProblemAsync((HttpStatusCode)status, code);
    }

    private async Task<HttpResponseMessage> GetAsync(string accept, string who, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", accept));
        var client = who == "alice" ? shared.Alice : shared.Server.Anonymous;
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
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
