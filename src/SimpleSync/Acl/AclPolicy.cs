using SimpleSync.Protocol;

namespace SimpleSync.Acl;

/// <summary>
/// The pure ACL evaluator: rules in order, the first that matches user, item and action decides;
/// no match denies. Admins are not exempt. Endpoints call it before anything reaches storage.
/// </summary>
internal sealed class AclPolicy(long version, IReadOnlyList<AclRule> rules)
{
    public static AclPolicy Empty { get; } = new(0, []);

    public long Version { get; } = version;

    public IReadOnlyList<AclRule> Rules { get; } = rules;

    public bool Decide(string user, string item, string action)
    {
        foreach (var rule in Rules)
        {
            if (Matches(rule.User, user) && MatchesItem(rule.Item, item) && Matches(rule.Action, action))
                return rule.Allow;
        }
        return false;
    }

    private static bool Matches(string pattern, string value) => pattern == "*" || pattern == value;

    private static bool MatchesItem(string pattern, string item) =>
        pattern.EndsWith('*')
            ? item.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
            : pattern == item;
}
