using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SimpleSync.Protocol;
using SimpleSync.Push;
using SimpleSync.Testing;
using SimpleSync.Tests.Support;

namespace SimpleSync.Tests;

/// <summary>How a push body is read: element by element, within bounds on size and on pushes in progress.</summary>
public sealed class PushReadingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A body whose start is sent at once and whose end only when <see cref="Finish"/> is called.</summary>
    private sealed class HeldContent(string start, string end) : HttpContent
    {
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish() => _finish.TrySetResult();

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken ct)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(start), ct);
            await stream.FlushAsync(ct);
            await _finish.Task.WaitAsync(ct);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(end), ct);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task An_element_larger_than_any_valid_event_fails_the_push_with_413_and_a_merely_oversized_payload_is_refused_alone()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Limits = o.Limits with { MaxPayloadBytes = 100 } });
        await server.AllowAllAsync();
        var (alice, client) = await server.NewUserAsync("alice");
        var limit = PushBody.MaxElementBytes(server.Options.Limits);

        var oversized = TestEvents.New(alice, payload: new string('x', 1000));
        var ok = TestEvents.New(alice);
        var answer = await client.SyncAsync(0, oversized, ok);
        Assert.Equal(RejectionReasons.PayloadTooLarge, answer.Results![0].Reason);
        Assert.Equal(PushStatuses.Accepted, answer.Results[1].Status);

        var huge = TestEvents.New(alice, payload: new string('x', (int)limit));
        using var response = await client.PostAsync("/sync", TestEvents.Content(SyncApi.Body(0, [TestEvents.New(alice), huge])), Ct);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.TooLarge);
        Assert.Equal([ok], (await client.PullAsync(0)).Events);
    }

    [Fact]
    public async Task A_user_with_four_pushes_in_progress_gets_429_for_a_fifth_while_others_push_freely()
    {
        await using var server = await LiveServer.StartAsync();
        await server.AllowAllAsync();
        var (alice, aliceClient) = await server.NewUserAsync("alice");
        var (bob, bobClient) = await server.NewUserAsync("bob");
        var gate = server.App.Services.GetRequiredService<PushGate>();
        var held = Enumerable.Range(0, PushGate.PerUser).Select(_ => new HeldContent("{\"cursor\":0,\"events\":[", "]}")).ToList();
        foreach (var content in held)
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var pushes = held.Select(content => aliceClient.PostAsync("/sync", content, Ct)).ToList();
        await Conditions.WaitUntilAsync(() => gate.Count == PushGate.PerUser, "the held pushes reaching the server");

        using (var fifth = await aliceClient.PostAsync("/sync", TestEvents.Content(SyncApi.Body(0, [TestEvents.New(alice)])), Ct))
        {
            await fifth.AssertProblemAsync(HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited);
            Assert.Equal("1", Assert.Single(fifth.Headers.GetValues("Retry-After")));
        }
        var bobs = TestEvents.New(bob);
        Assert.Equal(PushStatuses.Accepted, Assert.Single((await bobClient.SyncAsync(0, bobs)).Results!).Status);

        held.ForEach(h => h.Finish());
        foreach (var push in pushes)
        {
            using var response = await push;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(0, gate.Count);
        var later = TestEvents.New(alice);
        Assert.Equal(PushStatuses.Accepted, Assert.Single((await aliceClient.SyncAsync(0, later)).Results!).Status);
    }
}
