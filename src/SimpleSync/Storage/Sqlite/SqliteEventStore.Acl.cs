using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

internal sealed partial class SqliteEventStore
{
    /// <summary>On every push's path: kept in memory by a server (<see cref="ChangeCounters"/>).</summary>
    public Task<long> GetAclVersionAsync(CancellationToken ct) =>
        Task.FromResult(Kept(_aclVersion, _changes.Access,
            () => _reads.Run("SELECT coalesce(max(version), 0) FROM acl_changes", command => (long)command.ExecuteScalar()!)));

    public Task<AclVersion> GetAclAsync(CancellationToken ct) =>
        Task.FromResult(ReadAclVersions("ORDER BY version DESC LIMIT 1").SingleOrDefault() ?? new AclVersion(0, [], null, null));

    public Task<IReadOnlyList<AclVersion>> GetAclHistoryAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AclVersion>>(ReadAclVersions("ORDER BY version"));

    public Task<long> ReplaceAclAsync(IReadOnlyList<AclRule> rules, string changedBy, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(AccessWrite(() => WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                "INSERT INTO acl_changes (changed_at, changed_by, rules) VALUES ($at, $by, $rules) RETURNING version";
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$by", changedBy);
            command.Parameters.AddWithValue("$rules", StoreRows.RulesJson(rules));
            return (long)command.ExecuteScalar()!;
        }, write: true)));

    private List<AclVersion> ReadAclVersions(string orderAndLimit) => WithConnection(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {StoreRows.AclColumns} FROM acl_changes {orderAndLimit}";
        return StoreRows.ReadAll(command, StoreRows.ReadAclVersion);
    });
}
