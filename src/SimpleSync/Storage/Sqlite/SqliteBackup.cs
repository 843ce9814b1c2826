using Microsoft.Data.Sqlite;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// Online backup with VACUUM INTO: it runs inside one read transaction, so the copy is
/// consistent while the server keeps writing, and it is compact. The copy gets a fresh epoch:
/// restored later, it is a different store as far as clients' cursors are concerned.
/// </summary>
internal static class SqliteBackup
{
    public static (long Events, string Epoch) Create(string sourcePath, string destination)
    {
        destination = Path.GetFullPath(destination);
        if (File.Exists(destination) || Directory.Exists(destination))
            throw new IOException($"{destination} already exists; choose a new name");
        if (!File.Exists(sourcePath))
            throw new IOException($"{sourcePath}: there is no store to back up");
        // The copy holds password hashes, so it is staged owner-only from the first byte: VACUUM
        // INTO fills an empty file it finds and keeps its mode.
        using var staged = PrivateFiles.Stage(destination);
        var source = new SqliteDatabase(sourcePath);
        using (var connection = source.Open())
        using (var vacuum = connection.CreateCommand())
        {
            vacuum.CommandText = "VACUUM INTO $path";
            vacuum.Parameters.AddWithValue("$path", staged.TemporaryPath);
            vacuum.ExecuteNonQuery();
        }
        var result = Stamp(staged.TemporaryPath);
        staged.Publish(overwrite: false);
        return result;
    }

    private static (long, string) Stamp(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var epoch = SqliteEventStore.ResetEpoch(connection);
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM events";
        return ((long)count.ExecuteScalar()!, epoch);
    }
}
