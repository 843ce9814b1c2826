using System.Buffers;
using System.Reflection;
using System.Security.Cryptography;

namespace SimpleSync.Client;

/// <summary>
/// Who is asking, sent on every request (protocol.md, "Identifying the device"): <c>Sync-Device</c>
/// names the local store, so a server can tell a user's devices apart; <c>Sync-Client</c> names
/// the SDK and the app with their versions. Neither is a secret or proves anything: the token
/// does that. Not <c>User-Agent</c>, which browsers do not let scripts set, so that both SDKs send
/// the same thing.
/// </summary>
internal sealed class ClientIdentity
{
    public const string DeviceHeader = "Sync-Device";
    public const string ClientHeader = "Sync-Client";
    public const string SdkName = "simplesync-dotnet";
    public const int MaxDeviceIdLength = 64;
    public const int MaxProductPartLength = 64;

    private static readonly SearchValues<char> DeviceIdChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    // RFC 9110 tchar: what a product name or version in a User-Agent-like header may hold.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~");

    public ClientIdentity(string deviceId, SyncClientOptions options)
    {
        DeviceId = deviceId;
        var app = options.AppName is null ? "" : $" {options.AppName}{(options.AppVersion is null ? "" : $"/{options.AppVersion}")}";
        Client = $"{SdkName}/{SdkVersion}{app}";
    }

    public string DeviceId { get; }

    /// <summary>The <c>Sync-Client</c> value: at most 2 × 64 + 1 characters of the app after the SDK's, well within the 200 allowed.</summary>
    public string Client { get; }

    /// <summary>
    /// The package version (the informational version without its <c>+commit</c> build metadata),
    /// or the assembly version when that is not a token.
    /// </summary>
    public static string SdkVersion { get; } = ReadSdkVersion();

    /// <summary>128 random bits as 32 lowercase hexadecimal digits.</summary>
    public static string NewDeviceId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>1–64 characters of <c>[A-Za-z0-9_-]</c>: what a server takes as a device id.</summary>
    public static bool IsDeviceId(string value) =>
        value.Length is > 0 and <= MaxDeviceIdLength && !value.AsSpan().ContainsAnyExcept(DeviceIdChars);

    /// <summary>A product name or version: 1–64 characters of an HTTP token.</summary>
    public static bool IsProductPart(string value) =>
        value.Length is > 0 and <= MaxProductPartLength && !value.AsSpan().ContainsAnyExcept(TokenChars);

    public void Apply(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation(DeviceHeader, DeviceId);
        request.Headers.TryAddWithoutValidation(ClientHeader, Client);
    }

    private static string ReadSdkVersion()
    {
        var assembly = typeof(ClientIdentity).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        if (informational is not null && IsProductPart(informational))
            return informational;
        var version = assembly.GetName().Version ?? new Version(0, 0, 0);
        return $"{version.Major}.{version.Minor}.{Math.Max(0, version.Build)}";
    }
}
