using System.Text.Json;
using static SimpleSync.Protocol.Tests.EventText;

namespace SimpleSync.Protocol.Tests;

public sealed class EventJsonReadTests
{
    // Small enough that payload cases stay readable; the limit is a parameter of the reader.
    private const int Limit = 64;
    private const string Emoji = "\U0001F600";

    private static TheoryDataRow<string, string, string> Reject(string label, string element, string field, string reason = RejectionReasons.InvalidField) =>
        new(element, reason, field) { TestDisplayName = $"rejected: {label}" };

    private static TheoryDataRow<string, string, string> Accept(string label, string field, string raw, string expected) =>
        new(field, raw, expected) { TestDisplayName = $"accepted: {label}" };

    public static IEnumerable<TheoryDataRow<string, string, string>> InvalidEvents()
    {
        foreach (var (name, raw) in ValidFields)
        {
            yield return Reject($"{name} missing", Without(name), name);
            yield return Reject($"{name} twice", Plus(name, raw), name);
        }
        foreach (var extra in new[] { "seq", "Uuid", "extra", "" })
            yield return Reject($"extra field '{extra}'", Plus(extra, "1"), extra);

        foreach (var name in new[] { "uuid", "userUuid", "itemUuid", "action", "payload" })
        {
            foreach (var wrong in new[] { "1", "null", "true", "{\"a\":\"b\"}", "[\"x\"]" })
                yield return Reject($"{name} is {wrong}", With(name, wrong), name);
            foreach (var lone in new[] { @"\ud800", @"\udfff", @"a\ud800b", @"\ud800\ud800", @"\udc00\ud800" })
                yield return Reject($"{name} has lone surrogate {lone}", With(name, $"\"{lone}\""), name);
        }
        yield return Reject("field name is a lone surrogate", Plus(@"\ud800", "1"), "event");

        foreach (var ts in new[]
        {
            "\"1700000000000\"", "null", "true", "{}", "[1]", "-1", "-9223372036854775808", "-0", "1.5", "1.0", "0.0",
            "1e3", "1E3", "1e-3", "18446744073709551616", "100000000000000000000000",
        })
        {
            yield return Reject($"timestamp {ts}", With("timestamp", ts), "timestamp");
        }

        foreach (var uuid in new[]
        {
            "0190a1b2c3d47e5f8a9b0c1d2e3f4a5b", "{0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}", "urn:uuid:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            " 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b ", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5",
            "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5bb", "0190a1b2c-3d4-7e5f-8a9b-0c1d2e3f4a5b", "0190a1b2_c3d4_7e5f_8a9b_0c1d2e3f4a5b",
            "g190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "\uff10190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "", "task-1",
        })
        {
            yield return Reject($"uuid '{uuid}'", With("uuid", $"\"{uuid}\""), "uuid");
        }

        var controls = new[] { @"\u0000", @"\u001f", @"\n", @"\t", @"\u007f", @"\u0080", @"\u009f" };
        foreach (var (name, max) in new[] { ("userUuid", 128), ("itemUuid", 256), ("action", 128) })
        {
            yield return Reject($"{name} empty", With(name, "\"\""), name);
            yield return Reject($"{name} of {max + 1} ASCII characters", With(name, Repeat("a", max + 1)), name);
            yield return Reject($"{name} of {max + 1} emoji", With(name, Repeat(Emoji, max + 1)), name);
            foreach (var control in controls)
                yield return Reject($"{name} with control character {control}", With(name, $"\"a{control}b\""), name);
        }

        yield return Reject("payload of 65 ASCII bytes", With("payload", Repeat("a", Limit + 1)), "payload", RejectionReasons.PayloadTooLarge);
        yield return Reject("payload of 33 'é' (66 bytes, 33 chars)", With("payload", Repeat("é", 33)), "payload", RejectionReasons.PayloadTooLarge);
        yield return Reject("payload of 17 emoji (68 bytes)", With("payload", Repeat(Emoji, 17)), "payload", RejectionReasons.PayloadTooLarge);
        yield return Reject(@"payload of 33 \u00e9 escapes", With("payload", Repeat(@"\u00e9", 33)), "payload", RejectionReasons.PayloadTooLarge);

        foreach (var element in new[] { "1", "\"x\"", "null", "true", "[]", "[{}]", $"[{Valid}]" })
            yield return Reject($"element {(element.Length > 10 ? element[..10] + "…" : element)}", element, "event");
    }

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public void An_invalid_event_is_rejected_on_its_own_with_its_reason_and_field(string element, string reason, string field)
    {
        var parsed = EventJson.ReadArray(Utf8($"[{Valid},{element},{Valid}]"), Limit);

        Assert.Equal(3, parsed.Count);
        Assert.Equal(ValidEvent, parsed[0].Event);
        Assert.Equal(ValidEvent, parsed[2].Event);
        Assert.Null(parsed[1].Event);
        var rejection = Assert.IsType<EventRejection>(parsed[1].Rejection);
        Assert.Equal(reason, rejection.Reason);
        Assert.StartsWith($"{field}:", rejection.Detail, StringComparison.Ordinal);
    }

    public static IEnumerable<TheoryDataRow<string, string, string>> ValidValues()
    {
        yield return Accept("timestamp 0", "timestamp", "0", "0");
        yield return Accept("timestamp 2^63", "timestamp", "9223372036854775808", "9223372036854775808");
        yield return Accept("timestamp 2^64-1", "timestamp", "18446744073709551615", "18446744073709551615");

        foreach (var uuid in new[]
        {
            "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", "0190a1B2-C3d4-7E5f-8a9B-0C1d2E3f4A5b",
            "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        })
        {
            yield return Accept($"uuid {uuid}", "uuid", $"\"{uuid}\"", uuid);
        }

        foreach (var (name, max) in new[] { ("userUuid", 128), ("itemUuid", 256), ("action", 128) })
        {
            yield return Accept($"{name} of 1 character", name, "\"x\"", "x");
            yield return Accept($"{name} of {max} ASCII characters", name, Repeat("a", max), new string('a', max));
            yield return Accept($"{name} of {max} emoji", name, Repeat(Emoji, max), string.Concat(Enumerable.Repeat(Emoji, max)));
            yield return Accept($"{name} of {max} escaped emoji", name, Repeat(@"\ud83d\ude00", max), string.Concat(Enumerable.Repeat(Emoji, max)));
            yield return Accept($"{name} with no-break space and line separator", name, "\"a\u00a0b\u2028c\"", "a\u00a0b\u2028c");
        }

        yield return Accept("empty payload", "payload", "\"\"", "");
        yield return Accept("payload of 64 ASCII bytes", "payload", Repeat("a", Limit), new string('a', Limit));
        yield return Accept("payload of 32 'é' (64 bytes)", "payload", Repeat("é", 32), new string('é', 32));
        yield return Accept("payload of 16 emoji (64 bytes)", "payload", Repeat(Emoji, 16), string.Concat(Enumerable.Repeat(Emoji, 16)));
        yield return Accept(@"payload of 32 \u00e9 escapes (64 bytes decoded)", "payload", Repeat(@"\u00e9", 32), new string('é', 32));
        yield return Accept("payload with control characters", "payload", @"""\u0000\n\t\u001f\u007f""", "\0\n\t\u001f\u007f");
        yield return Accept("payload of JSON with escapes", "payload", @"""{\""a\"":\""b\\\/c\""}""", "{\"a\":\"b\\/c\"}");
    }

    [Theory]
    [MemberData(nameof(ValidValues))]
    public void A_valid_value_is_accepted_as_sent(string field, string raw, string expected)
    {
        var parsed = EventJson.ReadArray(Utf8($"[{With(field, raw)}]"), Limit);

        var e = Assert.Single(parsed).Event;
        Assert.NotNull(e);
        Assert.Null(parsed[0].Rejection);
        var actual = field switch
        {
            "uuid" => e.Uuid,
            "timestamp" => e.Timestamp.ToString(),
            "userUuid" => e.UserUuid,
            "itemUuid" => e.ItemUuid,
            "action" => e.Action,
            _ => e.Payload,
        };
        Assert.Equal(expected, actual);
        Assert.Equal(parsed[0].Uuid, e.Uuid);
    }

    [Fact]
    public void Fields_may_come_in_any_order()
    {
        var reversed = Object(ValidFields.Reverse());

        var parsed = EventJson.ReadArray(Utf8($"[{reversed}]"), Limit);

        Assert.Equal(ValidEvent, Assert.Single(parsed).Event);
    }

    [Fact]
    public void An_empty_array_is_no_events()
    {
        Assert.Empty(EventJson.ReadArray(Utf8(" [ ] "), Limit));
    }

    [Theory]
    [InlineData("payload", "payload")]
    [InlineData("field name", "event")]
    public void Bytes_that_are_not_UTF8_make_only_that_event_invalid(string where, string field)
    {
        var text = where == "payload" ? With("payload", "\"##\"") : Plus("##", "1");
        var bytes = Utf8($"[{text},{Valid}]");
        var at = Array.IndexOf(bytes, (byte)'#');
        (bytes[at], bytes[at + 1]) = ((byte)0xC3, (byte)0x28);

        var parsed = EventJson.ReadArray(bytes, Limit);

        Assert.Equal(2, parsed.Count);
        Assert.Equal(RejectionReasons.InvalidField, parsed[0].Rejection?.Reason);
        Assert.StartsWith($"{field}:", parsed[0].Rejection!.Detail, StringComparison.Ordinal);
        Assert.Equal(ValidEvent, parsed[1].Event);
    }

    [Theory]
    [InlineData("bad action", "uuid-kept")]
    [InlineData("bad uuid", "uuid-as-sent")]
    [InlineData("no uuid", "none")]
    [InlineData("uuid not a string", "none")]
    [InlineData("not an object", "none")]
    public void A_rejected_event_names_the_uuid_it_was_sent_with(string shape, string expected)
    {
        var element = shape switch
        {
            "bad action" => With("action", "\"\""),
            "bad uuid" => With("uuid", "\"task-1\""),
            "no uuid" => Without("uuid"),
            "uuid not a string" => With("uuid", "7"),
            _ => "[1]",
        };

        var parsed = Assert.Single(EventJson.ReadArray(Utf8($"[{element}]"), Limit));

        Assert.NotNull(parsed.Rejection);
        Assert.Equal(expected switch { "uuid-kept" => Uuid, "uuid-as-sent" => "task-1", _ => null }, parsed.Uuid);
    }

    public static TheoryData<string> MalformedBodies() =>
    [
        "", " ", "{}", Valid, "1", "null", "\"events\"", "true", "[", "[1,]", "[1 2]", "[] []", "[]x", "[{]", "[{\"uuid\":}]",
        "[{\"uuid\" \"x\"}]", "[/*c*/]", "['x']", "[tru]", "[\"a\tb\"]", "[00]", "[01]", "[.5]", "[+1]", "[NaN]",
        $"[{Valid},", $"[{Valid}] {Valid}", new string('[', 65) + new string(']', 65),
    ];

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_JSON_or_a_root_that_is_not_an_array_fails_the_whole_read(string body)
    {
        Assert.ThrowsAny<JsonException>(() => EventJson.ReadArray(Utf8(body), Limit));
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("wrong nested types")]
    [InlineData("array")]
    [InlineData("number")]
    public void ReadOne_leaves_the_reader_on_the_last_token_of_the_value(string shape)
    {
        var value = shape switch
        {
            "valid" => Valid,
            "wrong nested types" => With("uuid", "{\"a\":[1,{\"b\":2}]}"),
            "array" => "[1,[2,{\"c\":3}]]",
            _ => "42",
        };
        var reader = new Utf8JsonReader(Utf8($"{{\"value\":{value},\"next\":true}}"));
        reader.Read();
        reader.Read();
        reader.Read();

        var parsed = EventJson.ReadOne(ref reader, Limit);

        Assert.Equal(shape == "valid", parsed.Event is not null);
        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.PropertyName, reader.TokenType);
        Assert.Equal("next", reader.GetString());
    }
}
