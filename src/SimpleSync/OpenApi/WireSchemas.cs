using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using SimpleSync.Http;

namespace SimpleSync.OpenApi;

/// <summary>
/// Schemas of the values the handlers read and write by hand (query values, headers, stream
/// messages), with the bounds the server enforces. Factories, not shared instances: transformers
/// may change a schema in place.
/// </summary>
internal static class WireSchemas
{
    /// <summary>A seq or cursor: what <see cref="Http.QueryValues.Integer"/> accepts from 0 up.</summary>
    public static OpenApiSchema Seq() => Integer(0, long.MaxValue);

    /// <summary>An event timestamp: every unsigned 64-bit integer, as the event reader and ?fromTimestamp= accept.</summary>
    public static OpenApiSchema Timestamp() => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "uint64",
        Minimum = "0",
        Maximum = ulong.MaxValue.ToString(CultureInfo.InvariantCulture),
    };

    public static OpenApiSchema Integer(long min, long max) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = max > int.MaxValue ? "int64" : "int32",
        Minimum = min.ToString(CultureInfo.InvariantCulture),
        Maximum = max.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// An epoch as the server sends it. The stream refuses anything else with 400: 1 to
    /// <see cref="Sync.StreamEndpoint.MaxEpochLength"/> letters, digits or dashes.
    /// </summary>
    public static OpenApiSchema Epoch() => new()
    {
        Type = JsonSchemaType.String,
        MinLength = 1,
        MaxLength = Sync.StreamEndpoint.MaxEpochLength,
        Pattern = "^[A-Za-z0-9-]+$",
    };

    /// <summary>
    /// A text value held to an event field's rules, as <see cref="Protocol.EventRules.CheckText"/>
    /// checks them: 1 to <paramref name="maxLength"/> characters (Unicode scalar values, as JSON
    /// Schema counts them), no control characters.
    /// </summary>
    public static OpenApiSchema EventText(int maxLength) => new()
    {
        Type = JsonSchemaType.String,
        MinLength = 1,
        MaxLength = maxLength,
        Description = "No control characters.",
    };

    /// <summary>A <c>Sync-Device</c> value: 1 to 64 letters, digits, <c>_</c> or <c>-</c>.</summary>
    public static OpenApiSchema DeviceId() => new()
    {
        Type = JsonSchemaType.String,
        MinLength = 1,
        MaxLength = SyncHeaders.MaxDeviceLength,
        Pattern = "^[A-Za-z0-9_-]+$",
    };

    /// <summary>A <c>Sync-Client</c> value: 1 to 200 printable ASCII characters.</summary>
    public static OpenApiSchema ClientName() => new()
    {
        Type = JsonSchemaType.String,
        MinLength = 1,
        MaxLength = SyncHeaders.MaxClientLength,
        Pattern = "^[ -~]+$",
    };

    public static OpenApiSchema Text(string? description = null) => new() { Type = JsonSchemaType.String, Description = description };

    /// <summary>A closed list of strings.</summary>
    public static OpenApiSchema Enum(IEnumerable<string> values, string? description = null)
    {
        var schema = Text(description);
        SetEnum(schema, values);
        return schema;
    }

    public static void SetEnum(OpenApiSchema schema, IEnumerable<string> values) =>
        schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
}
