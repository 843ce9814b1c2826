using Microsoft.AspNetCore.Http.HttpResults;
using SimpleSync.Auth;
using SimpleSync.Health;
using SimpleSync.Http;
using SimpleSync.OpenApi;
using SimpleSync.Protocol;
using SimpleSync.Storage;
using SimpleSync.Sync;

namespace SimpleSync.Devices;

/// <summary>
/// Sync health for admins: the devices and their lag, the rejection log, the server at a glance.
/// Each first writes what this server has noted and not yet flushed, so an answer right after a
/// sync shows it; other servers' notes arrive within <see cref="SyncHealth.FlushInterval"/>.
/// </summary>
internal static class DeviceEndpoints
{
    public const int DefaultRejections = 100;
    public const int MaxRejections = 1_000;

    public static RouteGroupBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").RequireAuthorization(BearerAuthentication.AdminRole).WithTags("admin");
        group.MapGet("/devices", ListDevices).WithName("listDevices").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithQuery("user", WireSchemas.EventText(EventRules.MaxUserUuidLength), "Only this user's devices")
            .WithSummary("Every device that synced, per user: last sync, cursor and lag behind the head, SDK and app, pushed counts")
            .WithDescription("Devices are told apart by the Sync-Device header (docs/protocol.md); requests without one are not recorded. "
                + "At most 50 devices per user and 100,000 in all are kept, the least recently synced dropped first.");
        group.MapGet("/rejections", ListRejections).WithName("listRejections").ProducesProblem(StatusCodes.Status400BadRequest)
            .WithQuery("user", WireSchemas.EventText(EventRules.MaxUserUuidLength), "Only this user's rejections")
            .WithQuery("device", WireSchemas.EventText(SyncHeaders.MaxDeviceLength), "Only this device's rejections")
            .WithQuery("limit", WireSchemas.Integer(1, MaxRejections), $"At most this many (default {DefaultRejections})")
            .WithSummary("The latest refused pushed events, newest first, with the reason and the ACL rule that decided")
            .WithDescription("At most 100 per user and 10,000 in all are kept, the oldest dropped first.");
        group.MapGet("/overview", Overview).WithName("overview")
            .WithSummary("The server at a glance: version, storage, head, open streams, devices, rejections by reason");
        return group;
    }

    private static async Task<Ok<DeviceList>> ListDevices(HttpRequest request, IEventStore store, SyncHealth health, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var user = QueryValues.OptionalText(request.Query, "user", EventRules.MaxUserUuidLength, errors);
        QueryValues.ThrowIfAny(errors);
        await health.FlushAsync(ct);
        var head = await store.HeadAsync(ct);
        var devices = await store.ListDevicesAsync(user, ct);
        return TypedResults.Ok(new DeviceList(head, devices.Select(d => Info(d, head)).ToList()));
    }

    private static async Task<Ok<IReadOnlyList<RejectionInfo>>> ListRejections(HttpRequest request, IEventStore store, SyncHealth health, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var user = QueryValues.OptionalText(request.Query, "user", EventRules.MaxUserUuidLength, errors);
        var device = QueryValues.OptionalText(request.Query, "device", SyncHeaders.MaxDeviceLength, errors);
        QueryValues.ThrowIfAny(errors);
        var limit = (int)QueryValues.Integer(request.Query["limit"], "limit", 1, MaxRejections, DefaultRejections);
        await health.FlushAsync(ct);
        return TypedResults.Ok(await store.ListRejectionsAsync(user, device, limit, ct));
    }

    private static async Task<Ok<ServerOverview>> Overview(IEventStore store, SyncHealth health, StreamHub hub, CancellationToken ct)
    {
        await health.FlushAsync(ct);
        var head = await store.HeadAsync(ct);
        return TypedResults.Ok(new ServerOverview(HealthEndpoints.Version, store.Provider, store.Epoch, head, hub.Count, health.StartedAt,
            await health.SummaryAsync(head, ct), health.RejectedByReason()));
    }

    private static DeviceInfo Info(DeviceRecord d, long head)
    {
        var cursor = Math.Max(0, d.Cursor);
        return new DeviceInfo(d.UserUuid, d.Device, d.Client, d.FirstSeen, d.LastSync, cursor, Math.Max(0, head - cursor), d.Accepted, d.Rejected);
    }
}
