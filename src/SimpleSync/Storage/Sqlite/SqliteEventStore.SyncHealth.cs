using Microsoft.Data.Sqlite;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

internal sealed partial class SqliteEventStore
{
    public Task RecordSyncHealthAsync(IReadOnlyList<DeviceRecord> devices, IReadOnlyList<RejectionInfo> rejections, SyncHealthLimits limits,
        CancellationToken ct)
    {
        InWriteTransaction(connection =>
        {
            foreach (var (sql, args) in SyncHealthRows.Record(devices, rejections, limits))
            {
                using var command = Command(connection, sql, args);
                command.ExecuteNonQuery();
            }
            return 0;
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string? userUuid, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<DeviceRecord>>(WithConnection(connection =>
        {
            using var command = Command(connection, SyncHealthRows.ListDevices, userUuid);
            return StoreRows.ReadAll(command, SyncHealthRows.ReadDevice);
        }));

    public Task<DeviceSummary> SummarizeDevicesAsync(long head, DateTimeOffset activeSince, CancellationToken ct) =>
        Task.FromResult(WithConnection(connection =>
        {
            using var command = Command(connection, SyncHealthRows.SummarizeDevices, activeSince.ToUnixTimeMilliseconds(), head);
            return StoreRows.ReadAll(command, SyncHealthRows.ReadSummary)[0];
        }));

    public Task<IReadOnlyList<RejectionInfo>> ListRejectionsAsync(string? userUuid, string? device, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RejectionInfo>>(WithConnection(connection =>
        {
            using var command = Command(connection, SyncHealthRows.ListRejections, userUuid, device, limit);
            return StoreRows.ReadAll(command, SyncHealthRows.ReadRejection);
        }));

    /// <summary>One command with positional parameters, named $1, $2, … as SQLite reads them.</summary>
    private static SqliteCommand Command(SqliteConnection connection, string sql, params object?[] args)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
            command.Parameters.AddWithValue($"${i + 1}", args[i] ?? DBNull.Value);
        return command;
    }
}
