using SimpleSync.Storage;

namespace SimpleSync.Acl;

/// <summary>
/// Keeps the current ACL in memory and reloads it when the store's ACL version moved. Checking
/// the version on every push (one indexed read) means a change made by <c>PUT /acl</c>, by
/// <c>simple-sync acl set</c> in another process, or by another server on the same database
/// applies to every push that starts after it.
/// </summary>
internal sealed class AclProvider(IEventStore store)
{
    private volatile AclPolicy _current = AclPolicy.Empty;

    public async Task<AclPolicy> CurrentAsync(CancellationToken ct)
    {
        var version = await store.GetAclVersionAsync(ct);
        var current = _current;
        if (current.Version == version)
            return current;
        var acl = await store.GetAclAsync(ct);
        var fresh = new AclPolicy(acl.Version, acl.Rules);
        _current = fresh;
        return fresh;
    }
}
