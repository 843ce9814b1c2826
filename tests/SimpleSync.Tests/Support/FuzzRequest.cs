using System.Text;

namespace SimpleSync.Tests.Support;

/// <summary>
/// One request the fuzzer sends, kept as plain data so that a failure can print exactly what was
/// sent: method, target, headers and the body bytes on the wire (after any compression).
/// </summary>
internal sealed class FuzzRequest(string kind, HttpMethod method, string target)
{
    /// <summary>What the generator meant, e.g. "POST /sync, flipped bytes"; the first thing a failure shows.</summary>
    public string Kind { get; set; } = kind;
    public HttpMethod Method { get; } = method;

    /// <summary>Path and query, relative to the server's address.</summary>
    public string Target { get; } = target;

    /// <summary>The body as sent; <see cref="Plain"/> is what it holds before compression.</summary>
    public byte[]? Body { get; set; }
    public byte[]? Plain { get; set; }
    public string? ContentType { get; set; } = "application/json";
    public string? ContentEncoding { get; set; }

    /// <summary>Sent in chunks with no Content-Length, so the server learns the size only by reading.</summary>
    public bool Chunked { get; set; }
    public List<(string Name, string Value)> Headers { get; } = [];

    /// <summary>True when the request carries a token derived from the admin's, in whatever spelling.</summary>
    public bool AsAdmin { get; set; }

    /// <summary>A live stream: only the first bytes of a 200 are read, then the connection is dropped.</summary>
    public bool IsStream => Target.StartsWith("/sync/stream", StringComparison.Ordinal) && Method == HttpMethod.Get;

    /// <summary>The message to send to the server at <paramref name="server"/>; the target is appended as it is, so "//x" stays a path.</summary>
    public HttpRequestMessage ToMessage(Uri server)
    {
        var message = new HttpRequestMessage(Method, new Uri(server.GetLeftPart(UriPartial.Authority) + Target));
        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
                throw new InvalidOperationException($"the fuzzer made a header HttpClient cannot send: {name}: {value}");
        }
        if (Body is null)
            return message;
        HttpContent content = Chunked ? new StreamingContent(Body) : new ByteArrayContent(Body);
        content.Headers.ContentType = null;
        if (ContentType is not null && !content.Headers.TryAddWithoutValidation("Content-Type", ContentType))
            throw new InvalidOperationException($"the fuzzer made a Content-Type HttpClient cannot send: {ContentType}");
        if (ContentEncoding is not null && !content.Headers.TryAddWithoutValidation("Content-Encoding", ContentEncoding))
            throw new InvalidOperationException($"the fuzzer made a Content-Encoding HttpClient cannot send: {ContentEncoding}");
        message.Content = content;
        return message;
    }

    /// <summary>The request as text: headers in full, bodies cut to <paramref name="maxBody"/> characters with bytes escaped.</summary>
    public string Describe(int maxBody = 600)
    {
        var text = new StringBuilder();
        text.Append(Kind).Append('\n').Append(Method).Append(' ').Append(Target).Append('\n');
        foreach (var (name, value) in Headers)
            text.Append(name).Append(": ").Append(value).Append('\n');
        if (Body is null)
            return text.ToString();
        text.Append("Content-Type: ").Append(ContentType ?? "(none)").Append('\n');
        if (ContentEncoding is not null)
            text.Append("Content-Encoding: ").Append(ContentEncoding).Append('\n');
        text.Append(Chunked ? "(chunked, " : "(").Append(Body.Length).Append(" bytes on the wire)\n");
        if (Plain is not null && !ReferenceEquals(Plain, Body))
            text.Append("compressed from ").Append(Plain.Length).Append(" bytes: ");
        return text.Append(Escape(Plain ?? Body, maxBody)).ToString();
    }

    /// <summary>Printable ASCII as it is, everything else as \xNN, cut at <paramref name="max"/> characters.</summary>
    public static string Escape(byte[] bytes, int max)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            if (text.Length >= max)
                return text.Append($"… ({bytes.Length} bytes in all)").ToString();
            if (b is >= 0x20 and < 0x7f and not (byte)'\\')
                text.Append((char)b);
            else
                text.Append($"\\x{b:x2}");
        }
        return text.ToString();
    }
}
