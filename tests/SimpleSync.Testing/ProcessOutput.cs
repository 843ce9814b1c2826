namespace SimpleSync.Testing;

/// <summary>
/// What a child process printed, line by line as it comes, and a wait for a piece of text that is
/// woken by each new line rather than by polling.
/// </summary>
internal sealed class ProcessOutput
{
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Both streams ended (two nulls): nothing more can come.
    private int _ended;

    public string Stdout => Text(_stdout);

    public string Stderr => Text(_stderr);

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
                return [.. _stderr];
        }
    }

    /// <summary>A line of stdout; null when the stream has ended.</summary>
    public void AddStdout(string? line) => Add(_stdout, line);

    public void AddStderr(string? line) => Add(_stderr, line);

    /// <summary>True once stdout or stderr holds <paramref name="text"/>; false if both end or <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForAsync(string text, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if ((Stdout + Stderr).Contains(text, StringComparison.Ordinal))
                    return true;
                if (_ended == 2)
                    return false;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                return (Stdout + Stderr).Contains(text, StringComparison.Ordinal);
            }
        }
    }

    private void Add(List<string> lines, string? line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (line is null)
                _ended++;
            else
                lines.Add(line);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    private string Text(List<string> lines)
    {
        lock (_gate)
            return string.Concat(lines.Select(l => l + Environment.NewLine));
    }
}
