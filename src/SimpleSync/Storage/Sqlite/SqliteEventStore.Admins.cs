using Microsoft.Data.Sqlite;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

internal sealed partial class SqliteEventStore
{
    public Task<bool> SetAdminAsync(string uuid, bool admin, CancellationToken ct) =>
        Task.FromResult(AccessWrite(() => InWriteTransaction(connection =>
        {
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE users SET admin = $admin WHERE uuid = $uuid";
            update.Parameters.AddWithValue("$uuid", uuid);
            update.Parameters.AddWithValue("$admin", admin);
            if (update.ExecuteNonQuery() == 0)
                return false;
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM users WHERE admin";
            if (!admin && (long)count.ExecuteScalar()! == 0)
                throw new ApiException(ErrorCodes.Conflict, "this is the last admin: make another user an admin first");
            return true;
        })));

    public Task<IReadOnlyList<string>> GrantAdminsAsync(IReadOnlyList<string> names, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>(AccessWrite(() => InWriteTransaction(connection =>
        {
            var recorded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT name FROM admin_grants";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                    recorded.Add(reader.GetString(0));
            }
            var granted = new List<string>();
            using var grant = connection.CreateCommand();
            grant.CommandText =
                "UPDATE users SET admin = 1 WHERE username = $name RETURNING uuid, username";
            var grantName = grant.Parameters.Add("$name", SqliteType.Text);
            using var record = connection.CreateCommand();
            record.CommandText = "INSERT INTO admin_grants (name, user_uuid, granted_at) VALUES ($name, $uuid, $at)";
            var recordName = record.Parameters.Add("$name", SqliteType.Text);
            var recordUuid = record.Parameters.Add("$uuid", SqliteType.Text);
            record.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            foreach (var fresh in names.Distinct(StringComparer.OrdinalIgnoreCase).Where(n => !recorded.Contains(n)))
            {
                grantName.Value = fresh;
                using var reader = grant.ExecuteReader();
                if (!reader.Read())
                    continue;
                (recordName.Value, recordUuid.Value) = (fresh, reader.GetString(0));
                granted.Add(reader.GetString(1));
                reader.Close();
                record.ExecuteNonQuery();
            }
            return granted;
        })));

    public Task<IReadOnlyList<AdminGrant>> ListAdminGrantsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AdminGrant>>(WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {StoreRows.GrantColumns} FROM admin_grants ORDER BY granted_at, name";
            return StoreRows.ReadAll(command, StoreRows.ReadGrant);
        }));

    public Task RecordAdminGrantAsync(AdminGrant grant, CancellationToken ct)
    {
        WithConnection(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO admin_grants (name, user_uuid, granted_at) VALUES ($name, $uuid, $at) ON CONFLICT DO NOTHING";
            command.Parameters.AddWithValue("$name", grant.Name);
            command.Parameters.AddWithValue("$uuid", grant.UserUuid);
            command.Parameters.AddWithValue("$at", grant.GrantedAt.ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, write: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction, committed if it returns and rolled back if it throws.</summary>
    private T InWriteTransaction<T>(Func<SqliteConnection, T> work) => WithConnection(connection =>
    {
        using var tx = connection.BeginTransaction(deferred: false);
        var result = work(connection);
        tx.Commit();
        return result;
    }, write: true);
}
