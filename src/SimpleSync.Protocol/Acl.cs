using System.Text.Json;

namespace SimpleSync.Protocol;

/// <summary>
/// One access rule. <see cref="User"/> is a user uuid or <c>*</c>; <see cref="Item"/> is an item
/// uuid, <c>*</c>, or a prefix pattern ending in <c>*</c>; <see cref="Action"/> is an action or <c>*</c>.
/// </summary>
/// <param name="User">A user uuid or <c>*</c>.</param>
/// <param name="Item">An item uuid, <c>*</c>, or a prefix ending in <c>*</c>.</param>
/// <param name="Action">An action name or <c>*</c>.</param>
/// <param name="Allow">Whether a matching event is accepted.</param>
public sealed record AclRule(string User, string Item, string Action, bool Allow);

/// <summary>The ACL document of <c>GET/PUT /acl</c>: rules in evaluation order.</summary>
/// <param name="Rules">The rules; the first that matches decides.</param>
public sealed record AclDocument(IReadOnlyList<AclRule> Rules);

/// <summary>
/// Parses and validates an ACL document strictly, collecting every problem keyed by its path
/// (<c>rules[2].item</c>) so that an admin can fix a whole document in one go.
/// </summary>
public static class AclParser
{
    /// <summary>Parses UTF-8 JSON. Returns the rules, or null with at least one entry in <paramref name="errors"/>.</summary>
    public static IReadOnlyList<AclRule>? Parse(ReadOnlySpan<byte> json, out Dictionary<string, string[]> errors)
    {
        errors = [];
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            doc = JsonDocument.ParseValue(ref reader);
            try
            {
                if (reader.Read())
                    throw new JsonException("unexpected data after the document");
            }
            catch
            {
                doc.Dispose();
                throw;
            }
        }
        catch (JsonException ex)
        {
            errors["$"] = [$"not valid JSON: {ex.Message}"];
            return null;
        }
        using (doc)
            return Parse(doc.RootElement, errors);
    }

    private static List<AclRule>? Parse(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["$"] = ["must be an object with a \"rules\" array"];
            return null;
        }
        JsonElement? rulesElement = null;
        foreach (var property in root.EnumerateObject())
        {
            var name = NameOf(property);
            if (name is null)
                errors["$"] = ["has a field name that is not valid Unicode text"];
            else if (name == "rules" && rulesElement is null)
                rulesElement = property.Value;
            else
                errors[name] = [name == "rules" ? "appears more than once" : "is not an ACL field"];
        }
        if (rulesElement is not { ValueKind: JsonValueKind.Array } array)
        {
            errors["rules"] = [rulesElement is null ? "is missing" : "must be an array"];
            return null;
        }

        var rules = new List<AclRule>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (ParseRule(element, $"rules[{index}]", errors) is { } rule)
                rules.Add(rule);
            index++;
        }
        return errors.Count == 0 ? rules : null;
    }

    private static AclRule? ParseRule(JsonElement element, string path, Dictionary<string, string[]> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors[path] = ["must be an object with user, item, action and allow"];
            return null;
        }
        string? user = null, item = null, action = null;
        bool? allow = null;
        var before = errors.Count;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var name = NameOf(property);
            if (name is null)
            {
                errors[path] = ["has a field name that is not valid Unicode text"];
                continue;
            }
            var key = $"{path}.{name}";
            if (!seen.Add(name))
            {
                // JSON readers disagree on which of two same-named members wins, so a rule that names
                // a field twice could mean different things to the admin who reviewed it and to us.
                errors[key] = ["appears more than once"];
                continue;
            }
            switch (name)
            {
                case "user": user = Pattern(property.Value, key, EventRules.MaxUserUuidLength, prefixAllowed: false, errors); break;
                case "item": item = Pattern(property.Value, key, EventRules.MaxItemUuidLength, prefixAllowed: true, errors); break;
                case "action": action = Pattern(property.Value, key, EventRules.MaxActionLength, prefixAllowed: false, errors); break;
                case "allow":
                    if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        allow = property.Value.GetBoolean();
                    else
                        errors[key] = ["must be true or false"];
                    break;
                default:
                    errors[key] = ["is not a rule field"];
                    break;
            }
        }
        foreach (var (name, value) in new (string, object?)[] { ("user", user), ("item", item), ("action", action), ("allow", allow) })
        {
            if (value is null && !errors.ContainsKey($"{path}.{name}"))
                errors[$"{path}.{name}"] = ["is missing"];
        }
        return errors.Count == before ? new AclRule(user!, item!, action!, allow!.Value) : null;
    }

    private static string? Pattern(JsonElement value, string key, int maxLength, bool prefixAllowed, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors[key] = ["must be a string"];
            return null;
        }
        if (StringOf(value) is not { } text)
        {
            errors[key] = ["must be valid Unicode text"];
            return null;
        }
        var problem = EventRules.CheckText(text, maxLength);
        var star = text.IndexOf('*', StringComparison.Ordinal);
        if (problem is null && star >= 0 && text != "*")
        {
            if (!prefixAllowed)
                problem = "'*' is only allowed as the whole value";
            else if (star != text.Length - 1)
                problem = "'*' is only allowed as the whole value or at the end of a prefix";
        }
        if (problem is null)
            return text;
        errors[key] = [problem];
        return null;
    }

    // Escapes that decode to lone surrogates are valid JSON but not text; reading them throws.
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

    private static string? StringOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>One entry of <c>GET /acl/history</c>: who set which rules when.</summary>
/// <param name="Version">Grows by one with every change.</param>
/// <param name="ChangedAt">When the change was made.</param>
/// <param name="ChangedBy">The username of the admin (or <c>cli</c>) who made it.</param>
/// <param name="Rules">The whole ACL as of this change.</param>
public sealed record AclChange(long Version, DateTimeOffset ChangedAt, string ChangedBy, IReadOnlyList<AclRule> Rules);

/// <summary>
/// The answer of <c>GET /acl/explain</c>: the decision the server's evaluator makes on an event of
/// one user, item and action, which rule makes it, and why the rules before it do not.
/// </summary>
/// <param name="Allow">Whether a pushed event of that user, item and action is accepted.</param>
/// <param name="Rule">The index in the ACL's rules, from 0 as in <c>rules[N]</c>, of the first rule that matches; null when none does and the event is denied.</param>
/// <param name="Matched">That rule, or null.</param>
/// <param name="AclVersion">The version of the ACL that was evaluated.</param>
/// <param name="Reason">The decision in one sentence, for people.</param>
/// <param name="Skipped">The rules before the deciding one (every rule when none matches), each with the fields it does not match.</param>
public sealed record AclExplanation(bool Allow, int? Rule, AclRule? Matched, long AclVersion, string Reason, IReadOnlyList<AclRuleMiss> Skipped);

/// <summary>A rule that does not match, in an <see cref="AclExplanation"/>.</summary>
/// <param name="Rule">Its index in the ACL's rules, from 0.</param>
/// <param name="Failed">The fields whose pattern does not match: <c>user</c>, <c>item</c>, <c>action</c>, in that order; never empty.</param>
public sealed record AclRuleMiss(int Rule, IReadOnlyList<string> Failed);
