using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Support;

/// <summary>One Server-Sent Events message, or a comment line (Event "comment").</summary>
internal sealed record SseMessage(string Event, string? Id, string Data, string? Retry = null)
{
    public StreamHello Hello() => JsonSerializer.Deserialize(Data, ProtocolJsonContext.Default.StreamHello)!;

    public string EndReason()
    {
        using var end = JsonDocument.Parse(Data);
        return end.RootElement.GetProperty("reason").GetString()!;
    }

    public List<Event> Events() =>
        EventJson.ReadArray(Encoding.UTF8.GetBytes(Data), int.MaxValue).Select(p => p.Event!).ToList();
}

/// <summary>A minimal reader of text/event-stream for tests: it also reports comments, which the protocol uses for keep-alive.</summary>
internal sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseClient> ConnectAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return new SseClient(response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>The next message or comment; null when the server closed the stream.</summary>
    public async Task<SseMessage?> NextAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        string? type = null, id = null, retry = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token);
            if (line is null)
                return null;
            if (line.Length == 0)
            {
                if (type is null && data.Length == 0 && id is null && retry is null)
                    continue;
                return new SseMessage(type ?? "message", id, data.ToString(), retry);
            }
            if (line.StartsWith(':'))
                return new SseMessage("comment", null, line[1..].Trim());
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "event": type = value; break;
                case "id": id = value; break;
                case "retry": retry = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
    }

    /// <summary>Reads until a message of type <paramref name="type"/> arrives, skipping comments.</summary>
    public async Task<SseMessage> NextOfTypeAsync(string type, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"no '{type}' message within {timeout}");
            var message = await NextAsync(left);
            Assert.True(message is not null, $"the stream closed before a '{type}' message");
            if (message.Event == type)
                return message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
