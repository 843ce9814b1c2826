namespace SimpleSync.Storage;

/// <summary>
/// A private file being written, which appears under its name only when complete. It is created
/// owner-only and exclusively under a random name in the destination's directory: random, so a
/// file left by a crash never blocks the next run (a container may well reuse the process id) and
/// nobody can plant a symlink at the name in advance; exclusive, so one planted anyway makes the
/// create fail instead of being followed. Disposing a file that was not published deletes it, so
/// neither success nor failure leaves a temporary file behind.
/// </summary>
internal sealed class StagedFile : IDisposable
{
    private readonly FileStream _stream;
    private bool _published;

    public StagedFile(string destination)
    {
        Destination = Path.GetFullPath(destination);
        var directory = Path.GetDirectoryName(Destination)!;
        if (!Directory.Exists(directory))
            throw new IOException($"{directory}: no such directory");
        TemporaryPath = Path.Combine(directory, $".{Path.GetFileName(Destination)}.{Guid.NewGuid():N}.tmp");
        _stream = PrivateFiles.CreateNew(TemporaryPath);
    }

    public string Destination { get; }

    /// <summary>Where the content is written until it is published; for writers that open the file by name (SQLite).</summary>
    public string TemporaryPath { get; }

    /// <summary>The temporary file, open for writing and empty.</summary>
    public Stream Stream => _stream;

    /// <summary>
    /// Puts the file in place: on disk first (whoever wrote it, as fsync covers the whole file),
    /// then renamed, so the name never points at a file a crash left half-written. Rename replaces
    /// a symlink at the destination rather than writing through it. Without
    /// <paramref name="overwrite"/> an existing destination is an error and is left alone.
    /// </summary>
    public void Publish(bool overwrite)
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(TemporaryPath, Destination, overwrite);
        _published = true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (!_published)
            File.Delete(TemporaryPath);
    }
}
