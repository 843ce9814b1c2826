using Microsoft.OpenApi;
using SimpleSync.Http;

namespace SimpleSync.OpenApi;

/// <summary>
/// What an endpoint reads or writes by hand, for its OpenAPI operation. The handlers read query
/// values and headers themselves (to answer bad ones with our own 400) and write headers
/// themselves, so the framework cannot see them; these say it on the mapping line, beside the
/// handler, through the framework's per-endpoint operation transformers.
/// </summary>
internal static class OperationDocs
{
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, string name, OpenApiSchema schema, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(ParameterLocation.Query, name, schema, description);

    /// <summary>A query value the endpoint refuses to do without (400 when it is missing).</summary>
    public static TBuilder WithRequiredQuery<TBuilder>(this TBuilder builder, string name, OpenApiSchema schema, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(ParameterLocation.Query, name, schema, description, required: true);

    public static TBuilder WithRequestHeader<TBuilder>(this TBuilder builder, string name, OpenApiSchema schema, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(ParameterLocation.Header, name, schema, description);

    /// <summary>A header on the response of <paramref name="status"/>, which the endpoint must declare.</summary>
    public static TBuilder WithResponseHeader<TBuilder>(this TBuilder builder, int status, string name, OpenApiSchema schema,
        string description) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses?.TryGetValue(key, out var found) != true || found is not OpenApiResponse response)
                throw new InvalidOperationException($"{operation.OperationId} declares no {status} response for the header {name}");
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[name] = new OpenApiHeader { Schema = schema, Description = description };
            return Task.CompletedTask;
        });

    /// <summary>The <c>Sync-Cursor</c> header of every answer that carries history.</summary>
    public static TBuilder WithCursorHeader<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithResponseHeader(StatusCodes.Status200OK, SyncHeaders.Cursor, WireSchemas.Seq(), "The highest seq in the history");

    /// <summary>The optional identity headers that the SDKs send on every request; the server accepts them and never fails a request for them.</summary>
    public static TBuilder WithClientHeaders<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder
            .WithRequestHeader(SyncHeaders.Device, WireSchemas.DeviceId(),
                "The id of the client's local store, the same across restarts (see docs/protocol.md); a malformed value is ignored")
            .WithRequestHeader(SyncHeaders.Client, WireSchemas.ClientName(),
                "The SDK and app with their versions, as 'simplesync-dotnet/0.1.0 todo-cli/1.2.0'; a malformed value is ignored");

    /// <summary>
    /// POST /sync's answer always holds <c>results</c>; the type it shares with GET /sync has them
    /// optional, so the push's 200 schema is that type with <c>results</c> required.
    /// </summary>
    public static TBuilder WithPushResults<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var json = operation.Responses?["200"].Content?["application/json"]
                ?? throw new InvalidOperationException($"{operation.OperationId} declares no JSON 200 response");
            json.Schema = new OpenApiSchema { AllOf = [json.Schema!], Required = new HashSet<string> { "results" } };
            return Task.CompletedTask;
        });

    private static TBuilder WithParameter<TBuilder>(this TBuilder builder, ParameterLocation location, string name,
        OpenApiSchema schema, string description, bool required = false) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = location,
                Schema = schema,
                Description = description,
                Required = required,
            });
            return Task.CompletedTask;
        });
}
