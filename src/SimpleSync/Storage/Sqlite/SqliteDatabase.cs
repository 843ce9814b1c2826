using Microsoft.Data.Sqlite;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// Opens connections to one database file with the settings every connection needs, and
/// translates SQLite errors into <see cref="ApiException"/>.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a statement waits for another writer (the CLI, a backup) before SQLITE_BUSY.
            DefaultTimeout = 10,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>A connection for reading. Reads need no pragma, so none is run: most requests only read.</summary>
    public SqliteConnection Open() => Open(write: false);

    /// <summary>
    /// A connection that writes. synchronous=FULL and journal_size_limit are per connection, so
    /// every writing connection sets them: with WAL, FULL makes each commit durable before it
    /// returns, which is what lets a push be answered.
    /// </summary>
    public SqliteConnection OpenForWrite() => Open(write: true);

    private SqliteConnection Open(bool write)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            if (write)
            {
                using var command = connection.CreateCommand();
                // journal_size_limit: a log that grew during a burst (a large import) is cut back to
                // this size when it is next reset, instead of keeping its largest size for good.
                command.CommandText = "PRAGMA synchronous = FULL; PRAGMA journal_size_limit = 16777216;";
                command.ExecuteNonQuery();
            }
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw Translate(ex);
        }
    }

    /// <summary>
    /// Closes this file's idle pooled connections, so that the last close checkpoints the WAL and
    /// the file can be moved or deleted. Other databases in the process keep their pools.
    /// </summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>Creates the file if needed, switches it to WAL and applies migrations.</summary>
    public void Initialise()
    {
        CreatePrivate();
        using var connection = OpenForWrite();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = wal.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"{Path}: cannot switch the database to WAL mode (got '{mode}')");
        }
        SqliteMigrations.Apply(connection);
    }

    /// <summary>
    /// The store holds password hashes: a new data directory is 0700 and a new database file 0600.
    /// SQLite gives the -wal and -shm files the database file's mode, so they follow.
    /// </summary>
    private void CreatePrivate()
    {
        PrivateFiles.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        if (File.Exists(Path))
            return;
        try
        {
            PrivateFiles.CreateNew(Path).Dispose();
        }
        catch (IOException) when (File.Exists(Path))
        {
            // Another process created it first; it chose the mode.
        }
    }

    public static Exception Translate(SqliteException ex) => ex.SqliteErrorCode switch
    {
        // SQLITE_CONSTRAINT: the callers that expect one (users) turn it into a precise message first.
        19 => new ApiException(ErrorCodes.Conflict, "that value is already taken"),
        // SQLITE_BUSY, SQLITE_LOCKED: another process held the write lock past the timeout.
        5 or 6 => new ApiException(ErrorCodes.Unavailable, "the database is busy; try again"),
        // SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_CORRUPT, SQLITE_NOTADB
        10 or 13 or 14 or 8 or 11 or 26 => new ApiException(ErrorCodes.Unavailable, $"storage is unavailable: {ex.Message}"),
        _ => ex,
    };
}
