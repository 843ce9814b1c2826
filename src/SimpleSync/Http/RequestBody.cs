using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;
using SimpleSync.Errors;
using SimpleSync.Protocol;

namespace SimpleSync.Http;

/// <summary>
/// Reads request bodies with the size limit enforced by us rather than by the server alone, so
/// every host (Kestrel, the test host) and every encoding gets the same 413.
/// </summary>
internal static class RequestBody
{
    /// <summary>Reads the whole body into a pooled buffer; dispose it when done.</summary>
    public static async Task<PooledBytes> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        PrepareLimit(request, limit);
        var buffer = new PooledBytes((int)Math.Min(request.ContentLength ?? 16 * 1024, limit) + 1);
        try
        {
            while (true)
            {
                if (buffer.Length == buffer.Capacity)
                    buffer.Grow();
                var read = await request.Body.ReadAsync(buffer.Free, ct);
                if (read == 0)
                    return buffer;
                buffer.Length += read;
                if (buffer.Length > limit)
                    throw TooLarge(limit);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses a declared length over <paramref name="limit"/> at once. The caller then counts the
    /// bytes it reads against the limit itself: Kestrel counts chunked framing (chunk-size lines,
    /// CRLFs) towards its own limit, so it would refuse a chunked body that is under ours, and is
    /// lifted for such bodies; whatever a client still sends past the limit is bounded by Kestrel's
    /// drain timeout.
    /// </summary>
    public static void PrepareLimit(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
            throw TooLarge(limit);
        if (request.ContentLength is null && request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
            server.MaxRequestBodySize = null;
    }

    /// <summary>
    /// Reads and strictly deserialises a JSON body; malformed or wrongly shaped JSON is a 400 whose
    /// <c>errors</c> map names each wrong field ("$" for the body as a whole).
    /// </summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type, long limit, CancellationToken ct)
        where T : class
    {
        using var body = await ReadAsync(request, limit, ct);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(body.Span, type);
        }
        catch (JsonException ex)
        {
            var errors = JsonBodyErrors.Describe(body.Span, type, ex);
            var (field, problems) = errors.First();
            throw ApiException.Invalid($"the body is not valid: {field}: {problems[0]}", errors);
        }
        return value ?? throw ApiException.Invalid("the body must be a JSON object, not null",
            new Dictionary<string, string[]> { ["$"] = ["must be a JSON object"] });
    }

    /// <summary>System.Text.Json's messages are long; keep the reason and the JSON path.</summary>
    public static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut];
        return ex.Path is { Length: > 0 } path && path != "$" ? $"{path}: {message}" : message;
    }

    public static ApiException TooLarge(long limit) =>
        new(ErrorCodes.TooLarge, $"the request body is larger than the limit of {limit} bytes (limits.max_body_bytes)");
}

/// <summary>A growable byte buffer rented from the shared pool.</summary>
internal sealed class PooledBytes(int capacity) : IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; set; }

    public int Capacity => _array.Length;

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public Memory<byte> Free => _array.AsMemory(Length);

    /// <summary>Drops the first <paramref name="count"/> bytes, moving the rest to the front.</summary>
    public void Discard(int count)
    {
        _array.AsSpan(count, Length - count).CopyTo(_array);
        Length -= count;
    }

    public void Grow()
    {
        var bigger = ArrayPool<byte>.Shared.Rent(_array.Length * 2);
        _array.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_array);
}
