using SimpleSync.Protocol;

namespace SimpleSync.Acl;

/// <summary>
/// Says why <see cref="AclPolicy.Decide"/> decides as it does, for <c>GET /acl/explain</c> and
/// <c>simple-sync acl explain</c>, which therefore print the same sentences. The decision itself
/// is the evaluator's; this only describes it and the rules it passed over.
/// </summary>
internal static class AclExplainer
{
    /// <summary>The fields of a rule as <see cref="AclRuleMiss.Failed"/> names them, in its order.</summary>
    public static IReadOnlyList<string> FieldNames { get; } = ["user", "item", "action"];

    public static AclExplanation Explain(AclPolicy policy, string user, string item, string action)
    {
        var decision = policy.Decide(user, item, action);
        var passedOver = decision.ByDefault ? policy.Rules.Count : decision.Rule;
        var skipped = new List<AclRuleMiss>(passedOver);
        for (var i = 0; i < passedOver; i++)
        {
            var failed = AclPolicy.Mismatches(policy.Rules[i], user, item, action);
            // The evaluator passed over this rule, so some field must fail; none would mean the two disagree.
            if (failed == AclFields.None)
                throw new InvalidOperationException($"rule {i} matches, yet the evaluator passed over it");
            skipped.Add(new AclRuleMiss(i, Names(failed)));
        }
        return new AclExplanation(
            decision.Allow,
            decision.ByDefault ? null : decision.Rule,
            decision.ByDefault ? null : policy.Rules[decision.Rule],
            policy.Version,
            Reason(policy.Rules, decision),
            skipped);
    }

    /// <summary>A rule that does not match, as the CLI prints it below the reason.</summary>
    public static string Describe(AclRuleMiss miss, AclRule rule) =>
        $"{Describe(miss.Rule, rule)} does not match: {string.Join(", ", miss.Failed)}";

    private static string Reason(IReadOnlyList<AclRule> rules, AclDecision decision) =>
        decision.ByDefault
            ? rules.Count switch
            {
                0 => "the ACL has no rules, so the default applies: deny",
                1 => "the ACL's one rule does not match, so the default applies: deny",
                var n => $"none of the ACL's {n} rules matches, so the default applies: deny",
            }
            : $"{Describe(decision.Rule, rules[decision.Rule])} is the first that matches: {(decision.Allow ? "allow" : "deny")}";

    private static string Describe(int index, AclRule rule) =>
        $"rule {index} (user {Quote(rule.User)}, item {Quote(rule.Item)}, action {Quote(rule.Action)})";

    /// <summary>Patterns hold no control characters, but may hold quotes: escaped, so a sentence still reads one way.</summary>
    private static string Quote(string pattern) =>
        "\"" + pattern.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static List<string> Names(AclFields failed)
    {
        var names = new List<string>(FieldNames.Count);
        foreach (var (field, name) in new[] { (AclFields.User, "user"), (AclFields.Item, "item"), (AclFields.Action, "action") })
        {
            if (failed.HasFlag(field))
                names.Add(name);
        }
        return names;
    }
}
