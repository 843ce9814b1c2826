using System.IO.MemoryMappedFiles;

namespace SimpleSync.Storage.Sqlite;

/// <summary>
/// Two counters shared by every process that opens one SQLite file, in a one-page file mapped
/// into memory beside it (<c>&lt;database&gt;-changes</c>, as SQLite keeps <c>-shm</c>): one is
/// moved after each commit that changes users, admins or the ACL, the other after each commit
/// that adds to the history. A server keeps what it read (a token's user, the ACL version, the
/// head) with the counter's value from before the read, and reads again only once the counter
/// has moved (<see cref="KeptValue{T}"/>). So a request's hot path runs no SQL, yet a change the
/// CLI commits in another process is seen by every request that starts after the CLI's command
/// has returned — what reading the database on every request gave, without the read.
/// </summary>
/// <remarks>
/// SQLite cannot tell a connection that another process committed without a read transaction
/// (<c>PRAGMA data_version</c> takes one), and the point is to take none. Writers move a counter
/// after their commit and readers read it before their read, so a value kept under a counter's
/// value can be older than the database only while a writer's commit is not yet announced, that
/// is while the writer's own command has not returned.
/// </remarks>
internal sealed unsafe class ChangeCounters : IDisposable
{
    private const int FileSize = 4096;
    // Each counter on a cache line of its own: the history's moves on every commit.
    private const int AccessOffset = 0;
    private const int HistoryOffset = 64;
    // A random id written by the process that makes the file: how a server tells that the file it
    // mapped is still the one at the path.
    private const int IdOffset = 128;
    // Counts are the file's counter plus the mapping's generation above this bit, so that a new
    // file (the old one deleted or replaced) moves every count past all that were kept.
    private const int GenerationShift = 48;

    private readonly string _path;
    private readonly UnixFileMode? _mode;
    private readonly TimeSpan _checkEvery;
    private readonly List<Mapping> _retired = [];
    private readonly Lock _remapping = new();
    private volatile Current? _current;
    private long _nextCheck;

    private ChangeCounters(string path, UnixFileMode? mode, TimeSpan checkEvery, Current? current) =>
        (_path, _mode, _checkEvery, _current) = (path, mode, checkEvery, current);

    /// <summary>The file beside <paramref name="databasePath"/>.</summary>
    public static string PathFor(string databasePath) => databasePath + "-changes";

    /// <summary>
    /// For a server: the file is created when missing, with the database file's permissions (as
    /// SQLite gives its -wal and -shm files), and stays mapped, so reading a counter is one load
    /// from memory and values may be kept (<see cref="KeepsReads"/>). At most every
    /// <paramref name="checkEvery"/> a read also checks that the path still names the mapped file;
    /// if it was deleted or replaced, a new one is mapped and every kept value is read again.
    /// </summary>
    public static ChangeCounters Mapped(string databasePath, TimeSpan checkEvery)
    {
        var path = PathFor(databasePath);
        UnixFileMode? mode = OperatingSystem.IsWindows() ? null
            : File.GetUnixFileMode(databasePath) & (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead |
                UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        return new ChangeCounters(path, mode, checkEvery, Map(path, mode, generation: 0));
    }

    /// <summary>
    /// For the CLI: nothing is kept, and a change is announced only to a file that exists after
    /// the change's commit. A server creates the file before its first read, so a server that
    /// started before the commit is told, and one that started after it reads the change itself.
    /// Never creating the file keeps a CLI run as root from leaving one the server cannot open.
    /// </summary>
    public static ChangeCounters Announcing(string databasePath) => new(PathFor(databasePath), null, TimeSpan.Zero, current: null);

    /// <summary>True when values read may be kept in memory against these counters.</summary>
    public bool KeepsReads => _current is not null;

    /// <summary>Moves after each commit that changes users, admins or the ACL.</summary>
    public long Access => Read(AccessOffset);

    /// <summary>Moves after each commit that adds to the history.</summary>
    public long History => Read(HistoryOffset);

    /// <summary>Announces a committed change of users, admins or the ACL; returns the new count.</summary>
    public long AccessChanged() => Increment(AccessOffset);

    /// <summary>Announces a commit that added to the history; returns the new count.</summary>
    public long HistoryChanged() => Increment(HistoryOffset);

    private long Read(int offset)
    {
        if (_current is null)
            return 0;
        var current = Checked();
        return current.Count(current.Mapping.Read(offset));
    }

    private long Increment(int offset)
    {
        if (_current is not null)
        {
            var current = Checked();
            return current.Count(current.Mapping.Increment(offset));
        }
        try
        {
            using var mapping = Mapping.Open(_path, create: false);
            return mapping?.Increment(offset) ?? 0;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"{_path}: the change is stored, but a running server could not be told of it ({ex.Message}); " +
                "give this user the database's permissions on that file, or restart the server", ex);
        }
    }

    /// <summary>The current mapping, after checking (at most every <see cref="_checkEvery"/>) that the path still names its file.</summary>
    private Current Checked()
    {
        var current = _current!;
        var now = Environment.TickCount64;
        if (now < Volatile.Read(ref _nextCheck))
            return current;
        lock (_remapping)
        {
            current = _current!;
            if (now < _nextCheck)
                return current;
            _nextCheck = now + (long)_checkEvery.TotalMilliseconds;
            if (IdAtPath() == current.Id)
                return current;
            // Deleted, truncated or replaced: the old mapping may still be read by another thread
            // this moment, so it is retired, not closed, until the store is disposed.
            _retired.Add(current.Mapping);
            var fresh = Map(_path, _mode, current.Generation + 1);
            _current = fresh;
            return fresh;
        }
    }

    /// <summary>The id in the file now at the path, read through a file handle; 0 when there is none.</summary>
    private long IdAtPath()
    {
        try
        {
            using var file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> id = stackalloc byte[sizeof(long)];
            return RandomAccess.Read(file, id, IdOffset) == id.Length ? BitConverter.ToInt64(id) : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static Current Map(string path, UnixFileMode? mode, long generation)
    {
        var mapping = Mapping.Open(path, create: true, mode) ?? throw new IOException($"{path}: could not be created");
        mapping.ClaimId(IdOffset);
        return new Current(mapping, generation, mapping.Read(IdOffset));
    }

    public void Dispose()
    {
        lock (_remapping)
        {
            _current?.Mapping.Dispose();
            foreach (var retired in _retired)
                retired.Dispose();
        }
    }

    private sealed record Current(Mapping Mapping, long Generation, long Id)
    {
        public long Count(long raw) => (Generation << GenerationShift) + raw;
    }

    /// <summary>The file mapped read-write; counters are 8-byte aligned, so loads and increments are atomic.</summary>
    private sealed class Mapping : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _base;

        private Mapping(MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            (_file, _view) = (file, view);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + view.PointerOffset;
        }

        /// <summary>
        /// Maps the file, creating it (with <paramref name="mode"/> where files have one) when
        /// <paramref name="create"/>; null when it does not exist and may not be created.
        /// </summary>
        public static Mapping? Open(string path, bool create, UnixFileMode? mode = null)
        {
            FileStream? stream = null;
            if (create)
            {
                try
                {
                    stream = Stream(path, FileMode.CreateNew);
                    // Set on the handle, past the umask, as SQLite sets its -wal and -shm.
                    if (mode is { } unixMode && !OperatingSystem.IsWindows())
                        File.SetUnixFileMode(stream.SafeFileHandle, unixMode);
                }
                catch (IOException) when (stream is null && File.Exists(path))
                {
                    // Another process made it first.
                }
                catch
                {
                    stream?.Dispose();
                    throw;
                }
            }
            try
            {
                stream ??= Stream(path, FileMode.Open);
            }
            catch (FileNotFoundException) when (!create)
            {
                return null;
            }
            try
            {
                // A new file is empty; the process that maps it first gives it its page of zeros.
                if (stream.Length < FileSize)
                    stream.SetLength(FileSize);
                var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, FileSize, MemoryMappedFileAccess.ReadWrite,
                    HandleInheritability.None, leaveOpen: false);
                return new Mapping(file, file.CreateViewAccessor(0, FileSize, MemoryMappedFileAccess.ReadWrite));
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        private static FileStream Stream(string path, FileMode mode)
        {
            var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite | FileShare.Delete };
            // Owner-only from the first moment; the database's mode is set once it exists.
            if (mode == FileMode.CreateNew && !OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new FileStream(path, options);
        }

        public long Read(int offset) => Volatile.Read(ref *(long*)(_base + offset));

        public long Increment(int offset) => Interlocked.Increment(ref *(long*)(_base + offset));

        /// <summary>Writes a random non-zero id at <paramref name="offset"/> unless another process already did.</summary>
        public void ClaimId(int offset)
        {
            var id = 0L;
            while (id == 0)
                id = BitConverter.ToInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(sizeof(long)));
            Interlocked.CompareExchange(ref *(long*)(_base + offset), id, 0);
        }

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
