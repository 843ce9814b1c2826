using SimpleSync.Protocol;

namespace SimpleSync.Storage;

/// <summary>The ordered ACL and every change made to it.</summary>
internal interface IAclStore
{
    /// <summary>The version of the current ACL: it grows with every change, 0 before the first.</summary>
    Task<long> GetAclVersionAsync(CancellationToken ct);

    Task<AclVersion> GetAclAsync(CancellationToken ct);

    /// <summary>Replaces the whole ACL in one transaction and records the change; returns the new version.</summary>
    Task<long> ReplaceAclAsync(IReadOnlyList<AclRule> rules, string changedBy, DateTimeOffset at, CancellationToken ct);

    /// <summary>Every ACL change, oldest first.</summary>
    Task<IReadOnlyList<AclVersion>> GetAclHistoryAsync(CancellationToken ct);
}

/// <param name="Version">0 for the empty ACL before any change.</param>
internal sealed record AclVersion(long Version, IReadOnlyList<AclRule> Rules, DateTimeOffset? ChangedAt, string? ChangedBy);
