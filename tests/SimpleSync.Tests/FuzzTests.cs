using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using SimpleSync.Protocol;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>
/// Ten thousand malformed and hostile requests, generated from a fixed seed, through the real
/// pipeline to every endpoint and to paths and methods the server does not have (see
/// <see cref="FuzzCases"/>). Whatever they hold, the server answers below 500, every error is
/// problem+json with a known code, and nothing changes: the ACL is empty, so no pushed event can
/// be stored, and no request can change a user or the ACL.
/// </summary>
public sealed class FuzzTests
{
    /// <summary>Every request is a function of this seed and its index alone; change it to explore other inputs.</summary>
    private const int Seed = 20_261_207;
    private const int Requests = 10_000;
    private const int Clients = 6;

    [Fact]
    public async Task Ten_thousand_malformed_requests_get_no_server_error_and_change_nothing()
    {
        await using var server = await LiveServer.StartAsync(o => o with
        {
            // Loopback is a trusted proxy here, so forged forwarding headers are parsed rather than ignored.
            Server = o.Server with { TrustedProxies = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")] },
            // Failed logins are the point: every one must reach the hash, none be throttled away.
            Auth = o.Auth with { LoginMaxFailures = int.MaxValue },
        });
        var admin = await server.AdminAsync();
        var (aliceUuid, alice) = await server.NewUserAsync("alice");
        var (bobUuid, bob) = await server.NewUserAsync("bob");
        var ids = new FuzzIdentities(Jwt.Payload(Token(admin))["sub"]!.GetValue<string>(), Token(admin),
            aliceUuid, Token(alice), LiveServer.PasswordOf("alice"), bobUuid, Token(bob));
        var before = await StateAsync(admin);
        Assert.Equal("""{"rules":[]}""", before.Acl);

        var failures = new ConcurrentQueue<string>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            var client = server.NewClient();
            for (var index = Interlocked.Increment(ref next); index < Requests; index = Interlocked.Increment(ref next))
            {
                var request = FuzzCases.Generate(new Random(Seed + index), ids);
                if (await SendAsync(client, request) is { } failure)
                    failures.Enqueue($"request {index} (new Random({Seed} + {index})): {failure}\n{request.Describe()}");
            }
        }));

        Assert.True(failures.IsEmpty,
            $"{failures.Count} of {Requests} requests (seed {Seed}) broke an invariant; the first ones:\n\n{string.Join("\n\n", failures.Take(5))}");
        var page = await alice.PullAsync(0);
        Assert.Equal((0, 0), (page.Cursor, page.Events.Count));
        Assert.Equal("[]", await GetTextAsync(bob, "/events"));
        Assert.Equal(before, await StateAsync(admin));
        foreach (var client in new[] { alice, bob })
        {
            using var stillValid = await client.GetAsync("/sync", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }
    }

    private static string Token(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>What no fuzzed request may change. A changed password or username shows as a token that stops working.</summary>
    private sealed record State(string Acl, string AclHistory, string Users);

    private static async Task<State> StateAsync(HttpClient admin) =>
        new(await GetTextAsync(admin, "/acl"), await GetTextAsync(admin, "/acl/history"), await GetTextAsync(admin, "/admin/users"));

    private static async Task<string> GetTextAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }


    /// <summary>Sends one request; returns what was wrong with the answer, or null.</summary>
    private static async Task<string?> SendAsync(HttpClient client, FuzzRequest request)
    {
        var test = TestContext.Current.CancellationToken;
        // A bound on the whole exchange, so that a hang is reported as one rather than stalling the run.
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(test);
        hang.CancelAfter(TimeSpan.FromSeconds(60));
        var ct = hang.Token;
        using var message = request.ToMessage(client.BaseAddress!);
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (request.IsStream && status == 200)
                return await FirstBytesOfStreamAsync(response, ct);
            var body = await ReadBodyAsync(response, ct);
            if (status >= 500)
                return $"answered {status}: {body}";
            if (status >= 400)
                return CheckProblem(request, response, status, body);
            return CheckNothingStored(request, response, body) ?? CheckExplainedEmptyAcl(request, body);
        }
        catch (HttpRequestException ex)
        {
            return $"no answer: {ex.Message} {ex.InnerException?.Message}";
        }
        catch (OperationCanceledException) when (!test.IsCancellationRequested)
        {
            return "no complete answer within 60 s";
        }
    }

    /// <summary>A stream that opens must say so at once (its first message is hello); the rest is not read, and the connection dropped.</summary>
    private static readonly byte[] Opening = "retry: "u8.ToArray();

    private static async Task<string?> FirstBytesOfStreamAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            return $"a 200 stream of type {response.Content.Headers.ContentType}";
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var first = new byte[16];
        var read = await stream.ReadAtLeastAsync(first, Opening.Length, throwOnEndOfStream: false, ct);
        return read >= Opening.Length && first.AsSpan(0, Opening.Length).SequenceEqual(Opening) ? null : $"a stream that began with {FuzzRequest.Escape(first[..read], 16)}";
    }

    private static string? CheckProblem(FuzzRequest request, HttpResponseMessage response, int status, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return $"answered {status} as {response.Content.Headers.ContentType}: {body}";
        if (request.Method == HttpMethod.Head)
            return null;
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var code = root.GetProperty("code").GetString();
            // The code is one of docs/codes.json, sent with one of the statuses listed for it.
            if (CodeList.Load.Errors.SingleOrDefault(e => e.Code == code) is not { } listed
                || !listed.Statuses.Contains(status) || root.GetProperty("status").GetInt32() != status)
                return $"answered {status} with a problem of code {code}: {body}";
            return null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"answered {status} with a problem that is not one: {ex.Message}: {body}";
        }
    }

    /// <summary>A push that succeeds must have stored nothing: the ACL is empty.</summary>
    private static string? CheckNothingStored(FuzzRequest request, HttpResponseMessage response, string body)
    {
        if (request.Method != HttpMethod.Post)
            return null;
        if (request.Target.StartsWith("/events", StringComparison.Ordinal))
        {
            var cursor = response.Headers.TryGetValues("Sync-Cursor", out var values) ? values.Single() : null;
            return cursor == "0" && body == "[]" ? null : $"a push stored events: Sync-Cursor {cursor}, {body}";
        }
        if (request.Target.StartsWith("/sync", StringComparison.Ordinal))
        {
            try
            {
                var answer = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.SyncResponse)!;
                return answer.Events.Count == 0 && (answer.Results ?? []).All(r => r.Status != PushStatuses.Accepted)
                    ? null
                    : $"a push stored events: {body}";
            }
            catch (JsonException ex)
            {
                return $"answered 200 with something that is not a sync answer: {ex.Message}: {body}";
            }
        }
        return null;
    }

    /// <summary>An explanation the server gives must be the empty ACL's: deny, by no rule.</summary>
    private static string? CheckExplainedEmptyAcl(FuzzRequest request, string body)
    {
        if (request.Method != HttpMethod.Get || !request.Target.StartsWith("/acl/explain", StringComparison.Ordinal))
            return null;
        try
        {
            var answer = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.AclExplanation)!;
            return answer is { Allow: false, Rule: null, Matched: null, Skipped.Count: 0 } ? null : $"the empty ACL was explained as {body}";
        }
        catch (JsonException ex)
        {
            return $"answered 200 with something that is not an explanation: {ex.Message}: {body}";
        }
    }

    /// <summary>The body as text, decompressed when the server compressed it (the fuzzer sends Accept-Encoding at times).</summary>
    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        Stream? decoder = response.Content.Headers.ContentEncoding.LastOrDefault() switch
        {
            "gzip" => new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress),
            "br" => new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress),
            "deflate" => new DeflateStream(new MemoryStream(bytes), CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null)
            return Encoding.UTF8.GetString(bytes);
        await using (decoder)
        {
            using var plain = new MemoryStream();
            await decoder.CopyToAsync(plain, ct);
            return Encoding.UTF8.GetString(plain.ToArray());
        }
    }
}
