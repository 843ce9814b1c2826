using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SimpleSync.Protocol;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

public sealed class OpenApiTests
{
    [Fact]
    public async Task Every_mapped_route_and_method_is_in_the_OpenAPI_document()
    {
        await using var server = await LiveServer.StartAsync();
        var admin = await server.AdminAsync();
        var document = await GetDocumentAsync(admin);
        var paths = document["paths"]!.AsObject();

        var routes = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText != "/openapi/v1.json")
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: Normalise(e.RoutePattern.RawText!), Method: m.ToLowerInvariant())))
            .ToList();

        Assert.True(routes.Count >= 14, $"only {routes.Count} routes were found");
        foreach (var (path, method) in routes)
        {
            Assert.True(paths.ContainsKey(path), $"{path} is not in the document");
            Assert.True(paths[path]!.AsObject().ContainsKey(method), $"{method.ToUpperInvariant()} {path} is not in the document");
        }
    }

    [Fact]
    public async Task The_document_describes_bodies_auth_and_errors()
    {
        await using var server = await LiveServer.StartAsync();
        var document = await GetDocumentAsync(await server.AdminAsync());
        var sync = document["paths"]!["/sync"]!["post"]!;

        Assert.Equal("#/components/schemas/SyncRequest",
            sync["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/SyncResponse",
            sync["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(sync["responses"]!["401"]);
        Assert.NotNull(sync["responses"]!["413"]);
        Assert.NotNull(sync["security"]);
        Assert.NotNull(document["paths"]!["/acl"]!["put"]!["responses"]!["403"]);
        Assert.Null(document["paths"]!["/health"]!["get"]!["security"]);
        Assert.Equal("http", document["components"]!["securitySchemes"]!["Bearer"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", document["components"]!["schemas"]!["SyncResponse"]!["properties"]!["cursor"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_document_needs_a_token()
    {
        await using var server = await LiveServer.StartAsync();

        using var response = await server.Anonymous.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated);
    }

    private static async Task<JsonNode> GetDocumentAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Group routes are mapped as "/events/"; the document names them "/events".</summary>
    private static string Normalise(string pattern) => pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;
}
