using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

internal sealed partial class PostgresEventStore
{
    public Task<long> GetAclVersionAsync(CancellationToken ct) => Read(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection, "SELECT coalesce(max(version), 0) FROM acl_changes");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }, ct);

    public async Task<AclVersion> GetAclAsync(CancellationToken ct) =>
        (await ReadAclVersionsAsync("ORDER BY version DESC LIMIT 1", ct)).SingleOrDefault() ?? new AclVersion(0, [], null, null);

    public async Task<IReadOnlyList<AclVersion>> GetAclHistoryAsync(CancellationToken ct) =>
        await ReadAclVersionsAsync("ORDER BY version", ct);

    public Task<long> ReplaceAclAsync(IReadOnlyList<AclRule> rules, string changedBy, DateTimeOffset at, CancellationToken ct) =>
        _database.InTransactionAsync(async connection =>
        {
            // One change at a time across servers, so versions follow commit order and the
            // highest version is always the last ACL saved.
            await using (var lockChanges = PostgresDatabase.Command(connection, "LOCK TABLE acl_changes IN SHARE ROW EXCLUSIVE MODE"))
                await lockChanges.ExecuteNonQueryAsync(ct);
            await using var command = PostgresDatabase.Command(connection,
                "INSERT INTO acl_changes (changed_at, changed_by, rules) VALUES ($1, $2, $3) RETURNING version",
                at.ToUnixTimeMilliseconds(), changedBy, StoreRows.RulesJson(rules));
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }, ct);

    private Task<List<AclVersion>> ReadAclVersionsAsync(string orderAndLimit, CancellationToken ct) => Read(async connection =>
    {
        await using var command = PostgresDatabase.Command(connection, $"SELECT {StoreRows.AclColumns} FROM acl_changes {orderAndLimit}");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadAclVersion, ct);
    }, ct);
}
