using Microsoft.OpenApi;

namespace SimpleSync.OpenApi;

/// <summary>
/// The live stream in the document. OpenAPI 3.1 can only call a text/event-stream body a string,
/// so the operation says in words which messages come, and the JSON of their <c>data</c> lines
/// is described by two component schemas of its own (StreamHello, StreamEnd; an <c>events</c>
/// message's data is an array of Event), which client generators turn into types.
/// </summary>
internal static class StreamMessages
{
    public const string HelloSchema = "StreamHello";
    public const string EndSchema = "StreamEnd";

    /// <summary>The reasons of <c>event: end</c>, as docs/codes.json <c>streamEnds</c> lists them.</summary>
    public static IReadOnlyList<string> EndReasons { get; } =
        ["max_lifetime", "server_stopping", "too_slow", "revoked", "token_expired", "epoch_changed"];

    private const string Description = """
        Server-Sent Events (https://html.spec.whatwg.org/multipage/server-sent-events.html). Messages:

        - `event: hello`, always first: `data` is a StreamHello {epoch, cursor}, the store's epoch and
          the seq the stream continues after. A client that knows another epoch syncs first.
        - `event: events`: `data` is a JSON array of Event (at most 1,000, about 1 MiB), in seq order;
          `id` is the seq of the last one. Store it as the cursor after applying the message, and
          reconnect with `Last-Event-ID: <id>`.
        - `event: end`, last when the server ends the stream: `data` is a StreamEnd {reason, detail}.
          Reconnect with `Last-Event-ID` (after `revoked` and `token_expired` log in first, after
          `epoch_changed` sync first).
        - Comment lines (`: keep-alive`) when nothing else is sent for a heartbeat (15 s by default).
        """;

    /// <summary>Makes the 200 response of the operation the event stream with its messages described.</summary>
    public static TBuilder WithStreamMessages<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "The stream: hello, then the events after the cursor as they commit, until end",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/event-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = Description } },
                },
            };
            return Task.CompletedTask;
        });

    /// <summary>Adds the schemas of the hello and end messages' data to the document's components.</summary>
    public static void AddSchemas(OpenApiDocument document)
    {
        document.AddComponent(HelloSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The data of `event: hello`, the first message of every stream.",
            Required = new HashSet<string> { "epoch", "cursor" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["epoch"] = WireSchemas.Text("The store's identity, as in a sync answer."),
                ["cursor"] = Described(WireSchemas.Seq(), "The stream sends the events with seq above this."),
            },
        });
        document.AddComponent(EndSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The data of `event: end`, the last message of a stream the server ends.",
            Required = new HashSet<string> { "reason", "detail" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["reason"] = WireSchemas.Enum(EndReasons, "Why the stream ended."),
                ["detail"] = WireSchemas.Text("What to do, for people."),
            },
        });
    }

    private static OpenApiSchema Described(OpenApiSchema schema, string description)
    {
        schema.Description = description;
        return schema;
    }
}
