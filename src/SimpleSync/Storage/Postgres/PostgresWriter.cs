using Npgsql;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Postgres;

/// <summary>
/// The connection that appends, for <see cref="GroupCommit"/>. Each batch is one transaction that
/// first takes the append lock (<c>pg_advisory_xact_lock</c>, shared by every server on the
/// database and held until the commit), then gives seqs from max(seq) + 1. So seqs are given in
/// commit order: every transaction with a lower seq committed before this one took the lock, and
/// none can commit with a lower seq afterwards — a reader that has seen seq N never later finds
/// an event at or below N (the no-gap rule). Seqs are also consecutive: a rolled-back batch was
/// never seen, and the next one reuses its numbers. Three round trips a batch: lock, head and the
/// lookup of the batch's uuids; the insert with the NOTIFY; the commit.
/// </summary>
internal sealed class PostgresWriter(PostgresDatabase database) : IAsyncDisposable
{
    /// <summary>The channel on which every commit announces its highest seq, for the other servers' live feeds.</summary>
    public const string Channel = "simplesync_events";

    private NpgsqlConnection? _connection;
    private int _backendPid;

    /// <summary>The PostgreSQL backend of the writer's connection (0 for none): the sender of this server's own NOTIFYs.</summary>
    public int BackendPid => Volatile.Read(ref _backendPid);

    public async Task<AppendOutcome[][]> CommitAsync(IReadOnlyList<IReadOnlyList<Event>> batch)
    {
        try
        {
            try
            {
                _connection ??= await OpenAsync();
                return await CommitAsync(_connection, batch);
            }
            catch (Exception ex) when (PostgresDatabase.IsConnectionLost(ex))
            {
                // The connection died since the last batch (PostgreSQL restarted, say): once more on
                // a new one. Safe even if the commit went through before the connection died: the
                // batch's uuids are then found stored, and come back as duplicates of themselves.
                await DisposeAsync();
                _connection = await OpenAsync();
                return await CommitAsync(_connection, batch);
            }
        }
        catch (Exception ex)
        {
            // A fresh connection next time, in case this one is broken.
            await DisposeAsync();
            if (PostgresDatabase.Translate(ex) is { } translated)
                throw translated;
            throw;
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = await database.OpenAsync(CancellationToken.None);
        Volatile.Write(ref _backendPid, connection.ProcessID);
        return connection;
    }

    private static async Task<AppendOutcome[][]> CommitAsync(NpgsqlConnection connection, IReadOnlyList<IReadOnlyList<Event>> batch)
    {
        await using var tx = await connection.BeginTransactionAsync();
        var (head, stored) = await LockAndLookUpAsync(connection, tx, batch);
        var results = new AppendOutcome[batch.Count][];
        var fresh = new List<(long Seq, Event Event)>();
        for (var i = 0; i < batch.Count; i++)
        {
            results[i] = new AppendOutcome[batch[i].Count];
            for (var j = 0; j < batch[i].Count; j++)
            {
                var e = batch[i][j];
                if (stored.TryGetValue(e.Uuid, out var existing))
                {
                    results[i][j] = EventIdentity.SameContent(existing.Event, e)
                        ? new AppendOutcome(AppendStatus.Duplicate, existing.Seq)
                        : new AppendOutcome(AppendStatus.Conflict, 0);
                    continue;
                }
                var seq = ++head;
                stored[e.Uuid] = (seq, e);
                fresh.Add((seq, e));
                results[i][j] = new AppendOutcome(AppendStatus.Accepted, seq);
            }
        }
        if (fresh.Count > 0)
            await InsertAsync(connection, tx, fresh);
        await tx.CommitAsync();
        return results;
    }

    /// <summary>Takes the append lock, then reads the head and the stored events of the batch's uuids (after the lock: as the last holder committed them).</summary>
    private static async Task<(long Head, Dictionary<string, (long Seq, Event Event)> Stored)> LockAndLookUpAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IReadOnlyList<Event>> batch)
    {
        var uuids = batch.SelectMany(events => events).Select(e => e.Uuid.ToLowerInvariant()).Distinct().ToArray();
        await using var query = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new($"SELECT pg_advisory_xact_lock({PostgresSchema.AppendLock})"),
                new("SELECT coalesce(max(seq), 0) FROM events"),
                new($"SELECT seq, {StoreRows.EventColumns} FROM events WHERE lower(uuid) = ANY($1) ORDER BY seq")
                {
                    Parameters = { new NpgsqlParameter { Value = uuids } },
                },
            },
        };
        await using var reader = await query.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        var head = reader.GetInt64(0);
        await reader.NextResultAsync();
        var stored = new Dictionary<string, (long, Event)>(EventIdentity.Uuids);
        while (await reader.ReadAsync())
            stored.TryAdd(reader.GetString(1), (reader.GetInt64(0), StoreRows.ReadEvent(reader, offset: 1)));
        return (head, stored);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<(long Seq, Event Event)> fresh)
    {
        await using var insert = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new("INSERT INTO events (seq, uuid, ts_key, user_uuid, item_uuid, action, payload) " +
                    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])")
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => f.Seq).ToArray() },
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => f.Event.Uuid).ToArray() },
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => TimestampKey.ToKey(f.Event.Timestamp)).ToArray() },
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => f.Event.UserUuid).ToArray() },
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => f.Event.ItemUuid).ToArray() },
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => f.Event.Action).ToArray() },
                        new NpgsqlParameter { Value = fresh.ConvertAll(f => f.Event.Payload).ToArray() },
                    },
                },
                // Delivered to listeners only when the transaction commits; carries only the seq.
                new($"SELECT pg_notify('{Channel}', $1)") { Parameters = { new NpgsqlParameter { Value = fresh[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) } } },
            },
        };
        await insert.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = null;
        Volatile.Write(ref _backendPid, 0);
    }
}
