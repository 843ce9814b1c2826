using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SimpleSync.Http;

/// <summary>
/// Names the members of a JSON object body that the strict deserialiser refused, from the target
/// type's own metadata. System.Text.Json's exceptions carry a path only for some failures (not
/// for a missing member) and word them for .NET developers, not for API clients; a client needs
/// an <c>errors</c> map keyed by the field it sent wrong.
/// </summary>
internal static class JsonBodyErrors
{
    public static Dictionary<string, string[]> Describe(ReadOnlySpan<byte> json, JsonTypeInfo type, JsonException failure)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                errors["$"] = ["unexpected data after the JSON value"];
                return errors;
            }
        }
        catch (JsonException ex)
        {
            errors["$"] = [$"not valid JSON: {RequestBody.Describe(ex)}"];
            return errors;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors["$"] = ["must be a JSON object"];
                return errors;
            }
            CheckMembers(document.RootElement, type, errors);
        }
        if (errors.Count == 0)
            errors[FieldOf(failure.Path)] = [RequestBody.Describe(failure)];
        return errors;
    }

    private static void CheckMembers(JsonElement root, JsonTypeInfo type, Dictionary<string, string[]> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (NameOf(property) is not { } name)
            {
                errors["$"] = ["has a member name that is not valid Unicode text"];
                continue;
            }
            var member = type.Properties.FirstOrDefault(p => p.Name == name);
            var kind = property.Value.ValueKind;
            if (!seen.Add(name))
                errors[name] = ["appears more than once"];
            else if (member is null)
                errors[name] = ["is not a field of this request"];
            else if (kind == JsonValueKind.Null && !NullAllowed(member))
                errors[name] = ["must not be null"];
            else if (kind != JsonValueKind.Null && member.PropertyType == typeof(string) && kind != JsonValueKind.String)
                errors[name] = ["must be a string"];
        }
        foreach (var member in type.Properties.Where(p => p.IsRequired && !seen.Contains(p.Name)))
            errors[member.Name] = ["is missing"];
    }

    /// <summary>
    /// The member's name, or null when it is not text: a name whose escapes decode to a lone
    /// surrogate, or whose bytes are not UTF-8, is accepted by the JSON reader but throws
    /// InvalidOperationException when read, which would turn a client's bad body into a 500.
    /// </summary>
    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool NullAllowed(JsonPropertyInfo member) =>
        member.IsSetNullable && (member.AssociatedParameter?.IsNullable ?? true);

    /// <summary>"$.username" → "username"; anything deeper or stranger stays with the whole body, "$".</summary>
    private static string FieldOf(string? path) =>
        path is ['$', '.', .. var rest] && rest.Length > 0 && rest.IndexOfAny(['.', '[']) < 0 ? rest : "$";
}
