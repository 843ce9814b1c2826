using System.Net;

namespace SimpleSync.Tests.Support;

/// <summary>Who sends a scenario's request on a <see cref="SharedServer"/>.</summary>
internal enum Caller
{
    Anonymous,
    Alice,
    Admin,
}

/// <summary>
/// One row of a table-driven endpoint test, as PocketBase's ApiScenario: a request, who sends it,
/// and the status (and problem code, for an error) that must come back. <see cref="Name"/> is the
/// row's identity: theories take it (a string xunit can show and serialise) and look the row up
/// with <see cref="ApiScenarios.Find"/>, so every row is a test case of its own, named in the results.
/// </summary>
internal sealed record ApiScenario(string Name, Caller Caller, string Method, string Path, HttpStatusCode Status, string? Code = null)
{
    public string? Body { get; init; }

    /// <summary>An Accept header to send, when the scenario is about content negotiation.</summary>
    public string? Accept { get; init; }

    public async Task<HttpResponseMessage> SendAsync(SharedServer shared)
    {
        using var request = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body is not null)
            request.Content = TestEvents.Content(Body);
        if (Accept is not null)
            Assert.True(request.Headers.TryAddWithoutValidation("Accept", Accept));
        var client = Caller switch
        {
            Caller.Anonymous => shared.Server.Anonymous,
            Caller.Alice => shared.Alice,
            _ => shared.Admin,
        };
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Asserts the scenario's status, and for an error its problem+json code.</summary>
    public async Task AssertAnsweredAsync(HttpResponseMessage response)
    {
        if (Code is null)
            Assert.Equal(Status, response.StatusCode);
        else
            await response.AssertProblemAsync(Status, Code);
    }
}

internal static class ApiScenarios
{
    /// <summary>xunit shows an argument of up to this many characters whole, and cuts a longer one off.</summary>
    private const int ShownLength = 50;

    /// <summary>
    /// The names of a table's rows, for [MemberData]. Fails on two rows with one name (one of them
    /// would run twice) and on a name too long to be shown whole in the test's name.
    /// </summary>
    public static TheoryData<string> Names(IReadOnlyList<ApiScenario> table)
    {
        var duplicate = table.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"two scenarios are named '{duplicate.Key}'");
        if (table.FirstOrDefault(s => s.Name.Length > ShownLength) is { } longName)
            throw new InvalidOperationException($"the scenario name '{longName.Name}' is longer than {ShownLength} characters");
        return [.. table.Select(s => s.Name)];
    }

    public static ApiScenario Find(this IReadOnlyList<ApiScenario> table, string name) => table.Single(s => s.Name == name);
}
