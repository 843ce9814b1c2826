using SimpleSync.Auth;
using SimpleSync.Http;

namespace SimpleSync.Devices;

/// <summary>
/// Who made a sync request: the user of its token, and the device and software it named in
/// <c>Sync-Device</c> and <c>Sync-Client</c> (docs/protocol.md, "Identifying the device"). A
/// header outside its rules, or given twice, counts as absent: it never fails the request.
/// </summary>
internal sealed record DeviceCaller(string UserUuid, string? Device, string? Client)
{
    public static DeviceCaller Of(HttpContext context)
    {
        var headers = context.Request.Headers;
        var device = headers[SyncHeaders.Device];
        var client = headers[SyncHeaders.Client];
        return new DeviceCaller(
            context.User.Uuid(),
            device.Count == 1 && IsDeviceId(device[0]) ? device[0] : null,
            client.Count == 1 && IsClient(client[0]) ? client[0] : null);
    }

    private static bool IsDeviceId(string? value) =>
        value is { Length: > 0 and <= SyncHeaders.MaxDeviceLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static bool IsClient(string? value) =>
        value is { Length: > 0 and <= SyncHeaders.MaxClientLength } && value.All(c => c is >= ' ' and <= '~');
}
