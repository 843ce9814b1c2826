using System.Text.Json;
using static SimpleSync.Protocol.Tests.EventText;

namespace SimpleSync.Protocol.Tests;

/// <summary>
/// The push body parser reads a body in pieces as it arrives: the result never depends on where
/// the pieces break, reading stops at one event past the limit, and an unfinished body is malformed.
/// </summary>
public sealed class PushBodyParserTests
{
    private const int Limit = 64;

    /// <summary>Feeds <paramref name="body"/> in pieces of <paramref name="piece"/> bytes, carrying over what each call left unread.</summary>
    private static PushBodyParser FeedInPieces(PushBodyShape shape, byte[] body, int piece, int maxEvents = int.MaxValue)
    {
        var parser = new PushBodyParser(shape, Limit, maxEvents);
        var pending = new List<byte>();
        for (var at = 0; at <= body.Length && !parser.TooManyEvents; at += piece)
        {
            pending.AddRange(body.AsSpan(Math.Min(at, body.Length), Math.Min(piece, Math.Max(0, body.Length - at))).ToArray());
            var final = at + piece >= body.Length;
            var consumed = parser.Feed(pending.ToArray(), final);
            pending.RemoveRange(0, consumed);
            if (final)
                break;
        }
        return parser;
    }

    public static TheoryData<PushBodyShape, string> Bodies() => new()
    {
        { PushBodyShape.EventArray, $"[{Valid}, 1, \"x\", [{Valid}], null, {With("payload", "\"a\\\"b\\u00e9\\ud83d\\ude00\"")}, {Without("action")}]" },
        { PushBodyShape.EventArray, " [ ] " },
        { PushBodyShape.EventArray, $"[{Valid},{{\"nested\":{{\"deep\":[1,2,{{\"x\":\"]}}\"}}]}}}},{Valid}]" },
        { PushBodyShape.SyncRequest, $"{{\"cursor\":12345678901,\"events\":[{Valid},42,{Valid}]}}" },
        { PushBodyShape.SyncRequest, $"{{ \"events\" : [ {Valid} ] , \"cursor\" : 0 }}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":7}" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_body_read_in_pieces_of_any_size_gives_what_it_gives_whole(PushBodyShape shape, string text)
    {
        var body = Utf8(text);
        var whole = FeedInPieces(shape, body, body.Length + 1);
        Assert.True(whole.IsComplete);

        foreach (var piece in new[] { 1, 2, 3, 7, 64 })
        {
            var pieces = FeedInPieces(shape, body, piece);
            Assert.True(pieces.IsComplete);
            Assert.Equal(whole.Cursor, pieces.Cursor);
            Assert.Equal(whole.Events, pieces.Events);
        }
    }

    [Theory]
    [InlineData(PushBodyShape.EventArray, "[1,1,1,1,1,1,1,1,1,1]")]
    [InlineData(PushBodyShape.EventArray, "[{},{},{},{},{},{},{},{},{},{}]")]
    [InlineData(PushBodyShape.SyncRequest, "{\"cursor\":0,\"events\":[1,1,1,1,1,1,1,1,1,1]}")]
    public void Reading_stops_at_one_event_past_the_limit(PushBodyShape shape, string text)
    {
        var parser = FeedInPieces(shape, Utf8(text), 1, maxEvents: 3);

        Assert.True(parser.TooManyEvents);
        Assert.Equal(4, parser.Events.Count);
        Assert.False(parser.IsComplete);
    }

    [Fact]
    public void Elements_that_are_not_objects_share_one_rejection()
    {
        var parser = FeedInPieces(PushBodyShape.EventArray, Utf8("[1,\"x\",null,[]]"), 1);

        Assert.All(parser.Events, e => Assert.Same(parser.Events[0].Rejection, e.Rejection));
        Assert.Equal(RejectionReasons.InvalidField, parser.Events[0].Rejection!.Reason);
    }

    public static TheoryData<PushBodyShape, string> Malformed() => new()
    {
        { PushBodyShape.EventArray, $"[{Valid}" },
        { PushBodyShape.EventArray, $"[{Valid}] [" },
        { PushBodyShape.EventArray, "{\"cursor\":0,\"events\":[]}" },
        { PushBodyShape.SyncRequest, "[]" },
        { PushBodyShape.SyncRequest, "{\"events\":[]}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":0,\"cursor\":1,\"events\":[]}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":0,\"events\":[],\"events\":[]}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":-1,\"events\":[]}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":1.5,\"events\":[]}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":\"1\",\"events\":[]}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":0,\"events\":{}}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":0,\"events\":[],\"extra\":1}" },
        { PushBodyShape.SyncRequest, "{\"\\ud800\":0}" },
        { PushBodyShape.SyncRequest, "{\"cursor\":0,\"events\":[]" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_or_unfinished_body_fails_however_it_is_cut(PushBodyShape shape, string text)
    {
        foreach (var piece in new[] { 1, 5, text.Length + 1 })
            Assert.ThrowsAny<JsonException>(() => FeedInPieces(shape, Utf8(text), piece));
    }
}
