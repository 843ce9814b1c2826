using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests.Operations;

/// <summary>
/// The live /openapi/v1.json against the routes, the codes in docs/codes.json and what the server
/// really accepts, so that a client generated from it is right.
/// </summary>
public sealed class OpenApiTests(OpenApiServer shared) : IClassFixture<OpenApiServer>
{
    private static readonly string[] FeatureTags = ["sync", "events", "auth", "admin", "acl", "health", "metrics"];
    private static readonly string[] AnonymousOperations = ["POST /auth/token", "GET /health"];

    [Fact]
    public void Every_mapped_route_and_method_is_in_the_OpenAPI_document()
    {
        var paths = shared.Document["paths"]!.AsObject();

        var routes = shared.Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
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
    public void The_document_describes_bodies_auth_and_errors()
    {
        var document = shared.Document;
        var sync = document["paths"]!["/sync"]!["post"]!;

        Assert.Equal("#/components/schemas/SyncRequest",
            sync["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/SyncResponse",
            sync["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.NotNull(sync["responses"]!["401"]);
        Assert.NotNull(sync["responses"]!["413"]);
        Assert.NotNull(sync["security"]);
        Assert.NotNull(document["paths"]!["/acl"]!["put"]!["responses"]!["403"]);
        Assert.Equal("http", document["components"]!["securitySchemes"]!["Bearer"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", Schema(document, "SyncResponse")["properties"]!["cursor"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Every_operation_has_a_unique_operationId_and_one_feature_tag()
    {
        var operations = Operations(shared.Document).ToList();

        foreach (var (name, operation) in operations)
        {
            Assert.False(string.IsNullOrEmpty(operation["operationId"]?.GetValue<string>()), $"{name} has no operationId");
            var tags = operation["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            Assert.True(tags.Count == 1 && FeatureTags.Contains(tags[0]), $"{name} has tags [{string.Join(", ", tags)}]");
        }
        var ids = operations.Select(o => o.Operation["operationId"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Anonymous_operations_have_empty_security_and_the_rest_need_the_bearer_token()
    {
        var operations = Operations(shared.Document).ToList();

        foreach (var (name, operation) in operations)
        {
            var security = operation["security"]?.AsArray();
            Assert.True(security is not null, $"{name} does not say which security it needs");
            if (AnonymousOperations.Contains(name))
            {
                Assert.Empty(security);
                continue;
            }
            Assert.Equal("""[{"Bearer":[]}]""", security.ToJsonString());
            Assert.True(operation["responses"]!["401"] is not null, $"{name} does not list 401");
        }
        Assert.All(AnonymousOperations, name => Assert.Contains(operations, o => o.Name == name));
    }

    [Fact]
    public void Query_values_and_headers_are_described_with_their_types()
    {
        var paths = shared.Document["paths"]!;
        var pull = paths["/sync"]!["get"]!;
        var stream = paths["/sync/stream"]!["get"]!;
        var push = paths["/sync"]!["post"]!;
        var postEvents = paths["/events"]!["post"]!;

        Assert.Equal(("query", "integer"), ParameterKind(pull, "cursor"));
        Assert.Equal(("query", "integer"), ParameterKind(pull, "limit"));
        Assert.Equal(("query", "integer"), ParameterKind(stream, "cursor"));
        Assert.Equal(("query", "string"), ParameterKind(stream, "epoch"));
        Assert.Equal(("header", "integer"), ParameterKind(stream, "Last-Event-ID"));
        Assert.Equal(("query", "integer"), ParameterKind(paths["/events"]!["get"]!, "fromTimestamp"));
        Assert.Equal(("header", "string"), ParameterKind(push, "Content-Encoding"));
        Assert.NotNull(push["responses"]!["200"]!["headers"]!["Sync-Cursor"]);
        Assert.NotNull(postEvents["responses"]!["200"]!["headers"]!["Sync-Cursor"]);
        Assert.NotNull(postEvents["responses"]!["200"]!["headers"]!["Sync-Rejected"]);
        foreach (var status in new[] { "429", "503" })
            Assert.NotNull(push["responses"]![status]!["headers"]!["Retry-After"]);
        foreach (var name in new[] { "user", "item", "action" })
        {
            Assert.Equal(("query", "string"), ParameterKind(paths["/acl/explain"]!["get"]!, name));
            Assert.True(Parameter(paths["/acl/explain"]!["get"]!, name)["required"]!.GetValue<bool>(), $"{name} is not required");
        }
    }

    [Fact]
    public void The_explain_operation_describes_its_answer_and_its_errors()
    {
        var document = shared.Document;
        var explain = document["paths"]!["/acl/explain"]!["get"]!;

        Assert.Equal("#/components/schemas/AclExplanation",
            explain["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.All(new[] { "400", "401", "403" }, status => Assert.NotNull(explain["responses"]![status]));
        var properties = Schema(document, "AclExplanation")["properties"]!.AsObject();
        Assert.Equal(["allow", "rule", "matched", "aclVersion", "reason", "skipped"], properties.Select(p => p.Key));
        Assert.Equal(["user", "item", "action"], Enum(Schema(document, "AclRuleMiss")["properties"]!["failed"]!["items"]!));
    }

    public static TheoryData<string> ExplainValues => new() { "user", "item", "action" };

    [Theory]
    [MemberData(nameof(ExplainValues))]
    public async Task The_documented_lengths_of_an_explain_value_are_the_ones_the_server_enforces(string name)
    {
        var schema = Parameter(shared.Document["paths"]!["/acl/explain"]!["get"]!, name)["schema"]!;
        var (min, max) = (schema["minLength"]!.GetValue<int>(), schema["maxLength"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.OK, await ExplainStatusAsync(name, new string('x', min)));
        Assert.Equal(HttpStatusCode.OK, await ExplainStatusAsync(name, new string('x', max)));
        Assert.Equal(HttpStatusCode.BadRequest, await ExplainStatusAsync(name, new string('x', min - 1)));
        Assert.Equal(HttpStatusCode.BadRequest, await ExplainStatusAsync(name, new string('x', max + 1)));
    }

    /// <summary>The status of GET /acl/explain with <paramref name="value"/> for <paramref name="name"/> and valid other values.</summary>
    private async Task<HttpStatusCode> ExplainStatusAsync(string name, string value)
    {
        var values = new Dictionary<string, string> { ["user"] = "u", ["item"] = "i", ["action"] = "a" };
        values[name] = value;
        var query = string.Join("&", values.Select(v => $"{v.Key}={Uri.EscapeDataString(v.Value)}"));
        using var response = await shared.Admin.GetAsync($"/acl/explain?{query}", TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public void The_sdks_identity_headers_are_optional_headers_of_every_operation_they_call()
    {
        var paths = shared.Document["paths"]!;

        foreach (var operation in new[] { paths["/auth/token"]!["post"]!, paths["/sync"]!["get"]!, paths["/sync"]!["post"]!, paths["/sync/stream"]!["get"]! })
        {
            foreach (var (name, maxLength) in new[] { ("Sync-Device", 64), ("Sync-Client", 200) })
            {
                Assert.Equal(("header", "string"), ParameterKind(operation, name));
                var parameter = Parameter(operation, name);
                Assert.NotEqual(true, parameter["required"]?.GetValue<bool>());
                Assert.Equal(maxLength, parameter["schema"]!["maxLength"]!.GetValue<int>());
            }
        }
    }

    public static TheoryData<string, string> BoundedQueryValues => new()
    {
        { "/sync", "cursor" },
        { "/sync", "limit" },
        { "/sync/stream", "cursor" },
        { "/events", "fromTimestamp" },
    };

    [Theory]
    [MemberData(nameof(BoundedQueryValues))]
    public async Task The_documented_bounds_of_a_query_value_are_the_ones_the_server_enforces(string path, string name)
    {
        var schema = Parameter(shared.Document["paths"]![path]!["get"]!, name)["schema"]!;
        var min = decimal.Parse(schema["minimum"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        var max = decimal.Parse(schema["maximum"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(path, name, min));
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(path, name, max));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(path, name, min - 1));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(path, name, max + 1));
    }

    [Fact]
    public void Every_error_is_a_problem_whose_code_lists_the_codes_of_docs_codes_json()
    {
        var document = shared.Document;
        var problem = Schema(document, "Problem");

        foreach (var (name, operation) in Operations(document))
        {
            foreach (var (status, response) in operation["responses"]!.AsObject().Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400))
            {
                if (name == "GET /health" && status == "503")
                    continue; // the health answer itself, with status "unavailable"
                Assert.True(response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/Problem",
                    $"{name} {status} is not a Problem");
            }
        }
        var properties = problem["properties"]!.AsObject();
        Assert.All(new[] { "type", "title", "status", "detail", "instance", "code", "errors" }, p => Assert.True(properties.ContainsKey(p), p));
        Assert.Equal(CodeList.Load.Errors.Select(e => e.Code), Enum(properties["code"]!));
        Assert.Equal("array", properties["errors"]!["additionalProperties"]!["type"]!.GetValue<string>());
        Assert.Equal("string", properties["errors"]!["additionalProperties"]!["items"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Push_statuses_rejection_reasons_and_stream_end_reasons_are_the_lists_of_docs_codes_json()
    {
        var document = shared.Document;
        var result = Schema(document, "PushResult")["properties"]!;

        Assert.Equal(CodeList.Load.PushStatuses, Enum(result["status"]!));
        Assert.Equal(CodeList.Load.Rejections, Enum(result["reason"]!));
        Assert.Equal(CodeList.Load.StreamEnds, Enum(Schema(document, "StreamEnd")["properties"]!["reason"]!));
    }

    [Fact]
    public void The_stream_is_text_event_stream_with_hello_events_and_end_messages()
    {
        var document = shared.Document;
        var ok = document["paths"]!["/sync/stream"]!["get"]!["responses"]!["200"]!["content"]!.AsObject();

        Assert.Equal(["text/event-stream"], ok.Select(c => c.Key));
        var description = ok["text/event-stream"]!["schema"]!["description"]!.GetValue<string>();
        Assert.All(new[] { "event: hello", "event: events", "event: end", "StreamHello", "StreamEnd" }, s => Assert.Contains(s, description));
        Assert.Equal(["epoch", "cursor"], Schema(document, "StreamHello")["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["reason", "detail"], Schema(document, "StreamEnd")["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public void Timestamps_are_unsigned_64_bit_integers()
    {
        var timestamp = Schema(shared.Document, "Event")["properties"]!["timestamp"]!;

        Assert.Equal("integer", timestamp["type"]!.GetValue<string>());
        Assert.Equal("uint64", timestamp["format"]!.GetValue<string>());
        Assert.Equal("0", timestamp["minimum"]!.ToJsonString());
        Assert.Equal(ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp["maximum"]!.ToJsonString());
    }

    /// <summary>The status of GET path?name=value; a stream is closed as soon as its headers are in.</summary>
    private async Task<HttpStatusCode> StatusOfAsync(string path, string name, decimal value)
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await shared.Alice.GetAsync($"{path}?{name}={value}", HttpCompletionOption.ResponseHeadersRead, ct);
        return response.StatusCode;
    }

    private static IEnumerable<(string Name, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Select(op => ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!)));

    private static JsonNode Schema(JsonNode document, string name) =>
        document["components"]!["schemas"]![name] ?? throw new Xunit.Sdk.XunitException($"no schema {name}");

    private static JsonNode Parameter(JsonNode operation, string name) =>
        operation["parameters"]?.AsArray().SingleOrDefault(p => p!["name"]!.GetValue<string>() == name)
        ?? throw new Xunit.Sdk.XunitException($"{operation["operationId"]} has no parameter {name}");

    private static (string In, string Type) ParameterKind(JsonNode operation, string name)
    {
        var parameter = Parameter(operation, name);
        return (parameter["in"]!.GetValue<string>(), parameter["schema"]!["type"]!.GetValue<string>());
    }

    private static List<string> Enum(JsonNode schema) => [.. schema["enum"]!.AsArray().Select(v => v!.GetValue<string>())];

    /// <summary>Group routes are mapped as "/events/"; the document names them "/events".</summary>
    private static string Normalise(string pattern) => pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;
}

/// <summary>The shared server and its OpenAPI document, read once: every test of the class reads the same document.</summary>
public sealed class OpenApiServer : SharedServer
{
    internal JsonNode Document { get; private set; } = null!;

    private protected override async Task ReadyAsync()
    {
        using var response = await Admin.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }
}
