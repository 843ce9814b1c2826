using System.Text;

namespace SimpleSync.Protocol.Tests;

public sealed class AclParserTests
{
    private const string Good = """{"user":"*","item":"*","action":"*","allow":true}""";

    private static string Rule(string user = "\"*\"", string item = "\"*\"", string action = "\"*\"", string allow = "true") =>
        $$"""{"user":{{user}},"item":{{item}},"action":{{action}},"allow":{{allow}}}""";

    private static string Rules(params string[] rules) => $$"""{"rules":[{{string.Join(",", rules)}}]}""";

    private static TheoryDataRow<string, string> Invalid(string label, string json, params string[] keys) =>
        new(json, string.Join(" ", keys)) { TestDisplayName = $"invalid: {label}" };

    public static IEnumerable<TheoryDataRow<string, string>> InvalidDocuments()
    {
        yield return Invalid("empty text", "", "$");
        yield return Invalid("not JSON", "rules", "$");
        yield return Invalid("trailing data", """{"rules":[]} x""", "$");
        yield return Invalid("two documents", """{"rules":[]} {"rules":[]}""", "$");
        yield return Invalid("nested too deep", Rules(new string('[', 20) + new string(']', 20)), "$");
        yield return Invalid("root is an array", "[]", "$");
        yield return Invalid("root is null", "null", "$");
        yield return Invalid("root is a string", "\"rules\"", "$");
        yield return Invalid("no rules", "{}", "rules");
        yield return Invalid("rules is an object", """{"rules":{}}""", "rules");
        yield return Invalid("rules is null", """{"rules":null}""", "rules");
        yield return Invalid("rules twice", """{"rules":[],"rules":[]}""", "rules");
        yield return Invalid("unknown root field", """{"rules":[],"version":2}""", "version");
        yield return Invalid("root field name is a lone surrogate", """{"rules":[],"\ud800":1}""", "$");
        yield return Invalid("rule is a number", Rules(Good, "1"), "rules[1]");
        yield return Invalid("rule is an array", Rules("[]"), "rules[0]");
        yield return Invalid("rule is null", Rules(Good, Good, "null"), "rules[2]");
        yield return Invalid("empty rule", Rules("{}"), "rules[0].user", "rules[0].item", "rules[0].action", "rules[0].allow");
        yield return Invalid("unknown rule field", Rules(Good, Rule().Replace("}", ""","note":"x"}""")), "rules[1].note");
        yield return Invalid("rule field name is a lone surrogate", Rules(Rule().Replace("}", ""","\udc00":1}""")), "rules[0]");
        foreach (var field in new[] { "user", "item", "action", "allow" })
        {
            yield return Invalid($"{field} missing", Rules(Good, RuleWithout(field)), $"rules[1].{field}");
            yield return Invalid($"{field} twice", Rules(Rule().Replace("}", $",{Field(field)}}}")), $"rules[0].{field}");
        }
        foreach (var field in new[] { "user", "item", "action" })
        {
            foreach (var wrong in new[] { "1", "null", "true", "[\"*\"]", "{}", "\"\"", "\"a\\u0000b\"", "\"a\\nb\"", "\"\\ud800\"" })
                yield return Invalid($"{field} is {wrong}", Rules(RuleWith(field, wrong)), $"rules[0].{field}");
        }
        foreach (var allow in new[] { "\"true\"", "1", "0", "null", "\"yes\"", "[]" })
            yield return Invalid($"allow is {allow}", Rules(Rule(allow: allow)), "rules[0].allow");
        foreach (var item in new[] { "\"*task\"", "\"ta*sk\"", "\"**\"", "\"task-**\"", "\"*-*\"" })
            yield return Invalid($"item {item}", Rules(Good, Rule(item: item)), "rules[1].item");
        foreach (var pattern in new[] { "\"user-*\"", "\"*x\"", "\"**\"" })
        {
            yield return Invalid($"user {pattern}", Rules(Rule(user: pattern)), "rules[0].user");
            yield return Invalid($"action {pattern}", Rules(Rule(action: pattern)), "rules[0].action");
        }
        yield return Invalid("user of 129 characters", Rules(Rule(user: Quoted(129))), "rules[0].user");
        yield return Invalid("item of 257 characters", Rules(Rule(item: Quoted(257))), "rules[0].item");
        yield return Invalid("action of 129 characters", Rules(Rule(action: Quoted(129))), "rules[0].action");
        yield return Invalid("problems in several rules are all reported",
            Rules(Rule(user: "\"\""), Good, Rule(allow: "\"no\"", item: "\"a*b\"")), "rules[0].user", "rules[2].item", "rules[2].allow");
    }

    [Theory]
    [MemberData(nameof(InvalidDocuments))]
    public void An_invalid_document_is_refused_with_every_problem_keyed_by_its_path(string json, string keys)
    {
        var rules = AclParser.Parse(Encoding.UTF8.GetBytes(json), out var errors);

        Assert.Null(rules);
        Assert.Equal(keys.Split(' ').Order(StringComparer.Ordinal), errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.Values, messages => Assert.NotEmpty(Assert.Single(messages)));
    }

    [Fact]
    public void A_valid_document_gives_its_rules_in_order()
    {
        var json = Rules(
            Rule(user: "\"user-1\"", item: "\"task-*\"", action: "\"create\"", allow: "false"),
            """{"allow":true,"action":"*","item":"note-1","user":"*"}""",
            Rule(item: "\"*\""),
            Rule(user: "\"👩‍💻\"", item: "\"é-*\"", action: Quoted(128)),
            Rule(user: Quoted(128), item: Quoted(256), action: "\"x\"", allow: "false"));

        var rules = AclParser.Parse(Encoding.UTF8.GetBytes(json), out var errors);

        Assert.Empty(errors);
        Assert.Equal(
        [
            new AclRule("user-1", "task-*", "create", false),
            new AclRule("*", "note-1", "*", true),
            new AclRule("*", "*", "*", true),
            new AclRule("👩‍💻", "é-*", new string('a', 128), true),
            new AclRule(new string('a', 128), new string('a', 256), "x", false),
        ], rules);
    }

    [Fact]
    public void An_empty_rule_list_is_a_valid_document()
    {
        var rules = AclParser.Parse(" {\"rules\" : [ ]} \n"u8, out var errors);

        Assert.NotNull(rules);
        Assert.Empty(rules);
        Assert.Empty(errors);
    }

    private static string Field(string name) => name == "allow" ? "\"allow\":false" : $"\"{name}\":\"x\"";

    private static string RuleWith(string field, string raw) => field switch
    {
        "user" => Rule(user: raw),
        "item" => Rule(item: raw),
        _ => Rule(action: raw),
    };

    private static string RuleWithout(string field) =>
        "{" + string.Join(",", new[] { "user", "item", "action", "allow" }.Where(f => f != field).Select(f => f == "allow" ? "\"allow\":true" : $"\"{f}\":\"*\"")) + "}";

    private static string Quoted(int length) => $"\"{new string('a', length)}\"";
}
