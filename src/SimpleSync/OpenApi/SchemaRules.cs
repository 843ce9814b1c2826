using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SimpleSync.Protocol;

namespace SimpleSync.OpenApi;

/// <summary>
/// What the wire types' schemas need beyond what the framework reads from the CLR types: the
/// closed lists of codes as enums, the full range of unsigned timestamps, members that are left
/// out rather than sent as null, and the problem's own members.
/// </summary>
internal sealed class SchemaRules : IOpenApiSchemaTransformer
{
    /// <summary>The component name of the error body: a ProblemDetails with our <c>code</c> and <c>errors</c>.</summary>
    public const string ProblemSchema = "Problem";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(ulong))
        {
            var range = WireSchemas.Timestamp();
            (schema.Minimum, schema.Maximum) = (range.Minimum, range.Maximum);
        }
        // A member written only when it has a value is absent or a value, never null on the wire.
        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), true)
                .OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull) == true
            && schema.Type is { } nullable)
        {
            schema.Type = nullable & ~JsonSchemaType.Null;
        }
        if (type == typeof(ProblemDetails))
            DescribeProblem(schema);
        else if (type == typeof(PushResult))
            DescribePushResult(schema);
        else if (type == typeof(AclRuleMiss))
            DescribeRuleMiss(schema);
        else if (type == typeof(SyncRequest) || type == typeof(SyncResponse))
            Property(schema, "cursor").Minimum = "0";
        return Task.CompletedTask;
    }

    /// <summary>RFC 9457 as the server writes it: title, status, detail and code always; errors for validation.</summary>
    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Description = "An error (RFC 9457). `code` is stable and closed; act on it, not on the text.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        // Members the server leaves out when it has no value: never null.
        foreach (var member in schema.Properties.Values.OfType<OpenApiSchema>())
            member.Type &= ~JsonSchemaType.Null;
        schema.Properties["code"] = WireSchemas.Enum(ErrorCodes.All, "What went wrong, from a closed list (docs/codes.json).");
        schema.Properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "For invalid requests: each wrong field (\"$\" for the body as a whole) with its problems.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = WireSchemas.Text() },
        };
        schema.Required = new HashSet<string> { "title", "status", "detail", "code" };
    }

    private static void DescribePushResult(OpenApiSchema schema)
    {
        WireSchemas.SetEnum(Property(schema, "status"), PushStatuses.All);
        WireSchemas.SetEnum(Property(schema, "reason"), RejectionReasons.All);
    }

    private static void DescribeRuleMiss(OpenApiSchema schema) =>
        WireSchemas.SetEnum(Property(schema, "failed").Items as OpenApiSchema
            ?? throw new InvalidOperationException("the schema of AclRuleMiss.failed has no item schema to describe"), Acl.AclExplainer.FieldNames);

    private static OpenApiSchema Property(OpenApiSchema schema, string name) =>
        schema.Properties?.TryGetValue(name, out var found) == true && found is OpenApiSchema property
            ? property
            : throw new InvalidOperationException($"the schema has no property '{name}' to describe");

    /// <summary>Names the problem schema Problem, as the protocol calls it; every other type keeps the framework's name.</summary>
    public static string? ReferenceId(System.Text.Json.Serialization.Metadata.JsonTypeInfo type) =>
        type.Type == typeof(ProblemDetails) ? ProblemSchema : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
}
