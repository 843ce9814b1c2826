// A terminal to-do list on SimpleSync.Client. Every command takes --server URL --store FILE;
// the store is this device's local copy, so two store files are two devices.
using System.Text.Json.Nodes;
using SimpleSync.Client;

const string Usage = """
    usage: todo COMMAND [ARG] --server URL --store FILE
      login USER    log in (password from stdin)
      add TEXT      add a to-do (offline is fine)
      done ID       mark a to-do done (the short id 'list' shows)
      list          one line per to-do: id, state, text
      sync          push what is pending, pull what is new
      watch         follow other devices' changes live (Ctrl+C to stop)
    """;

var (command, argument, server, store) = ParseArgs(args);
if (command is null || server is null || store is null)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
using var http = new HttpClient { BaseAddress = new Uri(server.EndsWith('/') ? server : server + "/") };
using var client = Open(http, store);
if (client is null)
    return 2;
try
{
    switch (command)
    {
        case "login" when argument is not null:
            await client.LoginAsync(argument, Console.ReadLine() ?? "");
            Console.WriteLine($"logged in as {argument}");
            return 0;
        case "add" when argument is not null:
            var id = Guid.CreateVersion7().ToString();
            client.Record(id, "create", new JsonObject { ["text"] = argument, ["done"] = false }.ToJsonString());
            Console.WriteLine($"added {Short(id)} (pending; run 'sync' to share it)");
            return 0;
        case "done" when argument is not null:
            var matches = Todos(client).Keys.Where(k => k.EndsWith(argument, StringComparison.Ordinal)).ToList();
            if (matches.Count != 1)
            {
                Console.Error.WriteLine(matches.Count == 0 ? $"no to-do {argument}" : $"{argument} names {matches.Count} to-dos; give the whole id");
                return 1;
            }
            client.Record(matches[0], "update", """{"done":true}""");
            Console.WriteLine($"done {Short(matches[0])} (pending; run 'sync' to share it)");
            return 0;
        case "list":
            foreach (var (key, todo) in Todos(client))
                Console.WriteLine($"{Short(key)}  {(todo["done"]?.GetValue<bool>() == true ? "[x]" : "[ ]")}  {todo["text"]}");
            var unsynced = client.Status().PendingCount;
            if (unsynced > 0)
                Console.WriteLine($"({unsynced} {(unsynced == 1 ? "change" : "changes")} not synced yet)");
            return 0;
        case "sync":
            var result = await client.SyncAsync();
            Console.WriteLine($"pushed {result.Accepted.Count + result.Duplicates.Count}, pulled {result.Pulled}, rejected {result.Rejected.Count}");
            foreach (var rejected in result.Rejected)
                Console.WriteLine($"  rejected {rejected.Event.Action} of {Short(rejected.Event.ItemUuid)}: {rejected.Reason} {rejected.Detail}");
            return 0;
        case "watch":
            using (var stop = new CancellationTokenSource())
            {
                Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
                // Each change carries the events it added: no need to read the history again.
                client.Changed += (_, change) =>
                {
                    foreach (var e in change.Added)
                        Console.WriteLine($"{e.Action} {Short(e.ItemUuid)} {e.Payload}");
                };
                Console.WriteLine("watching; Ctrl+C to stop");
                try
                {
                    await client.WatchAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            return 0;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (SyncException ex)
{
    Console.Error.WriteLine(ex.IsLoginRequired ? "login required: run 'todo login USER'" : $"error ({ex.Code}): {ex.Message}");
    return 1;
}

// Null, after saying why, for an address the SDK refuses: plain http:// to another machine
// needs SyncClientOptions.AllowInsecureHttp, which this sample does not set.
static SyncClient? Open(HttpClient http, string store)
{
    try
    {
        // The app's name goes to the server with the SDK's version in the Sync-Client header.
        return new SyncClient(http, store, options: new SyncClientOptions { AppName = "todo-cli" });
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return null;
    }
}

// The random end of a UUIDv7: its start is a timestamp, the same for to-dos added within a minute.
static string Short(string id) => id.Length > 8 ? id[^8..] : id;

static IReadOnlyDictionary<string, JsonObject> Todos(SyncClient client) =>
    client.Items().Where(p => p.Value.ContainsKey("text")).ToDictionary(p => p.Key, p => p.Value);

static (string? Command, string? Argument, string? Server, string? Store) ParseArgs(string[] args)
{
    string? command = null, argument = null, server = null, store = null;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--server" when i + 1 < args.Length:
                server = args[++i];
                break;
            case "--store" when i + 1 < args.Length:
                store = args[++i];
                break;
            default:
                if (command is null)
                    command = args[i];
                else
                    argument = argument is null ? args[i] : $"{argument} {args[i]}";
                break;
        }
    }
    return (command, argument, server, store);
}
