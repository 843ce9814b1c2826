using System.Text.Json.Serialization;

namespace SimpleSync.Protocol;

/// <summary>
/// Source-generated JSON metadata for the wire types. Strict on input: unknown members, missing
/// required members and nulls where the type forbids them are errors, so bad input is refused
/// rather than half-read.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(CreateUserResponse))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(AclDocument))]
[JsonSerializable(typeof(List<AclChange>))]
[JsonSerializable(typeof(AclExplanation))]
[JsonSerializable(typeof(List<UserInfo>))]
[JsonSerializable(typeof(DeviceList))]
[JsonSerializable(typeof(List<RejectionInfo>))]
[JsonSerializable(typeof(ServerOverview))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(SyncResponse))]
[JsonSerializable(typeof(SyncRequest))]
[JsonSerializable(typeof(StreamHello))]
[JsonSerializable(typeof(List<Event>))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
