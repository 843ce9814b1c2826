using System.Text.Json;

namespace SimpleSync.Testing;

/// <summary>
/// What <c>simple-sync serve --ready-file PATH</c> writes once it listens: the addresses it really
/// got (the config asks for port 0), its pid, version and store.
/// </summary>
internal sealed record ReadyFile(IReadOnlyList<Uri> Urls, int Pid, string Version, string Store)
{
    public static ReadyFile Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new ReadyFile(
            [.. root.GetProperty("urls").EnumerateArray().Select(u => new Uri(u.GetString()!))],
            root.GetProperty("pid").GetInt32(),
            root.GetProperty("version").GetString()!,
            root.GetProperty("store").GetString()!);
    }

    /// <summary>
    /// Completes when <paramref name="path"/> appears, from the directory's change events (the
    /// server renames the finished file into place, so it is never seen half-written). Dispose the
    /// watch once it has completed or is no longer wanted.
    /// </summary>
    public static Watch WatchFor(string path) => new(path);

    internal sealed class Watch : IDisposable
    {
        private readonly string _path;
        private readonly FileSystemWatcher _watcher;
        private readonly TaskCompletionSource<ReadyFile> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Watch(string path)
        {
            _path = Path.GetFullPath(path);
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!) { NotifyFilter = NotifyFilters.FileName };
            _watcher.Created += (_, e) => Check(e.FullPath);
            _watcher.Renamed += (_, e) => Check(e.FullPath);
            _watcher.EnableRaisingEvents = true;
            // Written before the watch began.
            Check(_path);
        }

        public Task<ReadyFile> Ready => _ready.Task;

        private void Check(string changed)
        {
            if (changed != _path || !File.Exists(_path))
                return;
            try
            {
                _ready.TrySetResult(Parse(File.ReadAllText(_path)));
            }
            catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException)
            {
                _ready.TrySetException(new InvalidOperationException($"{_path} is not a ready file: {ex.Message}", ex));
            }
        }

        public void Dispose() => _watcher.Dispose();
    }
}
