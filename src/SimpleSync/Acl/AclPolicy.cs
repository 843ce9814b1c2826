using SimpleSync.Protocol;

namespace SimpleSync.Acl;

/// <summary>
/// The pure ACL evaluator: rules in order, the first that matches user, item and action decides;
/// no match denies. Admins are not exempt. Endpoints call it before anything reaches storage.
/// Pushes and <c>GET /acl/explain</c> (and <c>simple-sync acl explain</c>) all call
/// <see cref="Decide"/>, so an explanation cannot disagree with what a push gets.
/// </summary>
internal sealed class AclPolicy(long version, IReadOnlyList<AclRule> rules)
{
    public static AclPolicy Empty { get; } = new(0, []);

    public long Version { get; } = version;

    public IReadOnlyList<AclRule> Rules { get; } = rules;

    /// <summary>The decision and the rule that made it. Runs for every pushed event: a struct, and an index loop, so it allocates nothing.</summary>
    public AclDecision Decide(string user, string item, string action)
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            if (MatchesUser(rule, user) && MatchesItem(rule, item) && MatchesAction(rule, action))
                return new AclDecision(rule.Allow, i);
        }
        return AclDecision.NoMatch;
    }

    /// <summary>
    /// The fields of <paramref name="rule"/> whose pattern does not match, with the tests
    /// <see cref="Decide"/> makes; <see cref="AclFields.None"/> exactly when it matches.
    /// </summary>
    public static AclFields Mismatches(AclRule rule, string user, string item, string action) =>
        (MatchesUser(rule, user) ? AclFields.None : AclFields.User)
        | (MatchesItem(rule, item) ? AclFields.None : AclFields.Item)
        | (MatchesAction(rule, action) ? AclFields.None : AclFields.Action);

    private static bool MatchesUser(AclRule rule, string user) => Matches(rule.User, user);

    private static bool MatchesAction(AclRule rule, string action) => Matches(rule.Action, action);

    private static bool Matches(string pattern, string value) => pattern == "*" || pattern == value;

    private static bool MatchesItem(AclRule rule, string item) =>
        rule.Item.EndsWith('*')
            ? item.StartsWith(rule.Item.AsSpan(0, rule.Item.Length - 1), StringComparison.Ordinal)
            : rule.Item == item;
}

/// <summary>What <see cref="AclPolicy.Decide"/> answers: allowed or not, and the index of the deciding rule, or -1 when none matched.</summary>
internal readonly record struct AclDecision(bool Allow, int Rule)
{
    /// <summary>No rule matches: the default, which denies.</summary>
    public static AclDecision NoMatch => new(false, -1);

    public bool ByDefault => Rule < 0;
}

/// <summary>The fields of a rule, for saying which of its patterns do not match.</summary>
[Flags]
internal enum AclFields
{
    None = 0,
    User = 1,
    Item = 2,
    Action = 4,
}
