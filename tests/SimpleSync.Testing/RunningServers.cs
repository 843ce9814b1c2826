namespace SimpleSync.Testing;

/// <summary>
/// Every server process still running, so that an orderly exit of the process that started them
/// (the end of a test run, Ctrl+C in the load generator) kills them too; the watchdog shell
/// covers the case where that process is killed outright.
/// </summary>
internal static class RunningServers
{
    private static readonly HashSet<ServerProcess> Running = [];

    static RunningServers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Track(ServerProcess server)
    {
        lock (Running)
            Running.Add(server);
    }

    public static void Untrack(ServerProcess server)
    {
        lock (Running)
            Running.Remove(server);
    }

    public static void KillAll()
    {
        ServerProcess[] left;
        lock (Running)
        {
            left = [.. Running];
            Running.Clear();
        }
        foreach (var server in left)
            server.Kill();
    }
}
