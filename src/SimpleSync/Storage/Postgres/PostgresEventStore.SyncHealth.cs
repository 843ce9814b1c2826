using Npgsql;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

internal sealed partial class PostgresEventStore
{
    /// <summary>One transaction, sent as one batch: a single round trip however many rows.</summary>
    public Task RecordSyncHealthAsync(IReadOnlyList<DeviceRecord> devices, IReadOnlyList<RejectionInfo> rejections, SyncHealthLimits limits,
        CancellationToken ct) => _database.InTransactionAsync(async connection =>
        {
            await using var batch = new NpgsqlBatch(connection);
            foreach (var (sql, args) in SyncHealthRows.Record(devices, rejections, limits))
                batch.BatchCommands.Add(PostgresDatabase.BatchCommand(sql, args));
            if (batch.BatchCommands.Count > 0)
                await batch.ExecuteNonQueryAsync(ct);
            return 0;
        }, ct);

    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string? userUuid, CancellationToken ct) =>
        Read<IReadOnlyList<DeviceRecord>>(async connection =>
        {
            await using var command = PostgresDatabase.Command(connection, SyncHealthRows.ListDevices, userUuid);
            return await StoreRows.ReadAllAsync(command, SyncHealthRows.ReadDevice, ct);
        }, ct);

    public Task<DeviceSummary> SummarizeDevicesAsync(long head, DateTimeOffset activeSince, CancellationToken ct) =>
        Read(async connection =>
        {
            await using var command = PostgresDatabase.Command(connection, SyncHealthRows.SummarizeDevices, activeSince.ToUnixTimeMilliseconds(), head);
            return (await StoreRows.ReadAllAsync(command, SyncHealthRows.ReadSummary, ct))[0];
        }, ct);

    public Task<IReadOnlyList<RejectionInfo>> ListRejectionsAsync(string? userUuid, string? device, int limit, CancellationToken ct) =>
        Read<IReadOnlyList<RejectionInfo>>(async connection =>
        {
            await using var command = PostgresDatabase.Command(connection, SyncHealthRows.ListRejections, userUuid, device, limit);
            return await StoreRows.ReadAllAsync(command, SyncHealthRows.ReadRejection, ct);
        }, ct);
}
