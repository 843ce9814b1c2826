namespace SimpleSync.Tests.Support;

/// <summary>
/// JSON text for the fuzzer, written by hand so that it can be wrong in every way a parser must
/// survive: wrong types; missing, repeated, unknown and oddly spelled members; escapes that decode
/// to lone surrogates; numbers past every range; deep nesting. Every value here is JSON text, not
/// a C# string: <c>"\"x\""</c> is the JSON string x.
/// </summary>
internal static class FuzzJson
{
    private static readonly string[] OddValues =
    [
        "null", "true", "false", "0", "-1", "-0", "1.5", "1e3", "1E+400", "-1e400", "0.0000001", "00",
        "18446744073709551615", "18446744073709551616", "9223372036854775808", "-9223372036854775809",
        "[]", "{}", "[1,\"a\"]", "{\"uuid\":\"x\"}", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"a\\ud83d\"", "\"\\ud83d\\ude00\"", "\"\\udbff\\udfff\"", "\"\\udc00\\ud800\"", "\"\\t\\r\\n\"", "\"\\u200b\"",
        "\"\\u202e\"", "\"\\u0085\"", "\"*\"", "\"task-*\"", "\"\\\"\"", "\"\\\\\"", "\"\\/\"", "\"\\uFFFF\"", "\"\\uFEFF\"",
        "\"caf\\u00e9\"", "\"1700000000000\"",
    ];

    /// <summary>Member names that are not a field, or are one in another spelling.</summary>
    private static readonly string[] OddNames =
    [
        "\"UUID\"", "\"Uuid\"", "\"\"", "\"seq\"", "\"\\ud800\"", "\"uuid\\u0000\"", "\"\\u0075uid\"", "\"payload \"",
        "\"__proto__\"", "\"userUuid\\udc00\"", "\"\\ud83d\\ude00\"", "\"cursor\"", "\"events\"",
    ];

    private static readonly string[] Items = ["\"task-1\"", "\"note-7\"", "\"x\"", "\"\\u00e9t\\u00e9\"", "\"task-\\ud83d\\ude00\""];
    private static readonly string[] Actions = ["\"create\"", "\"update\"", "\"delete\"", "\"a\""];
    private static readonly string[] Payloads = ["\"{}\"", "\"\"", "\"{\\\"done\\\":true}\"", "\"null\"", "\"[1,2,3]\""];

    /// <summary>Whole bodies that are not what any endpoint takes.</summary>
    public static readonly string[] OddBodies =
    [
        "", " ", "null", "0", "\"\"", "{}", "[]", "[", "]", "{", "}", "[,]", "[1,]", "[]]", "[] []", "\"[]\"", "true",
        "{\"cursor\":0,\"events\":[]", "{\"cursor\":0,\"events\":[]}}", "[{}", "{\"a\":}", "[\"\\ud800\"]", "{\"\\udc00\":1}",
        "[1e999]", "[-0]", "{\"cursor\":0,\"events\":[],\"cursor\":0}", "[{\"uuid\":}]", "\\u005b\\u005d", "[/* */]",
    ];

    /// <summary>A value of a type or shape that no field takes, or a string no field accepts.</summary>
    public static string OddValue(Random r) => r.Next(12) switch
    {
        0 => Deep(r),
        1 => LongString(r),
        2 => "1" + new string('0', r.Next(20, 400)),
        3 => "\"" + string.Concat(Enumerable.Repeat("\\ud800", r.Next(1, 50))) + "\"",
        _ => r.One(OddValues),
    };

    /// <summary>Arrays or objects nested past every parser's depth limit (64 here, 16 for ACLs), or just under it.</summary>
    public static string Deep(Random r)
    {
        var depth = r.One([15, 17, 63, 65, 200, 3000]);
        return r.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
    }

    /// <summary>Strings just past the field limits (128, 256, 1,024), and rarely past the 64 KiB payload limit.</summary>
    public static string LongString(Random r)
    {
        var length = r.Next(20) == 0 ? (64 * 1024) + 1 : r.One([129, 257, 1025]);
        return "\"" + new string(r.One(['a', '*', ' ']), length) + "\"";
    }

    public static string Quote(string text) => $"\"{text}\"";

    public static string Object(IEnumerable<(string Name, string Value)> members) =>
        "{" + string.Join(",", members.Select(m => $"{m.Name}:{m.Value}")) + "}";

    /// <summary>A uuid from the seed, in lower, upper or mixed case.</summary>
    public static string NewUuid(Random r)
    {
        var bytes = new byte[16];
        r.NextBytes(bytes);
        var text = new Guid(bytes).ToString();
        return r.Next(4) switch
        {
            0 => text.ToUpperInvariant(),
            1 => MixCase(r, text),
            _ => text,
        };
    }

    public static string MixCase(Random r, string text) =>
        string.Concat(text.Select(c => r.Next(2) == 0 ? char.ToUpperInvariant(c) : c));

    /// <summary>The six members of a valid-looking event, in order; either side of each may be replaced.</summary>
    public static List<(string Name, string Value)> EventMembers(Random r, string uuid, string userUuid) =>
    [
        ("\"uuid\"", Quote(uuid)),
        ("\"timestamp\"", r.Next(5) == 0 ? r.One(["0", "18446744073709551615"]) : (1_700_000_000_000 + r.Next(1_000_000)).ToString()),
        ("\"userUuid\"", Quote(userUuid)),
        ("\"itemUuid\"", r.One(Items)),
        ("\"action\"", r.One(Actions)),
        ("\"payload\"", r.One(Payloads)),
    ];

    /// <summary>One to three faults: a wrong value, a missing, repeated, unknown or renamed member, a long string, another order.</summary>
    public static void Break(Random r, List<(string Name, string Value)> members)
    {
        for (var faults = r.Next(1, 4); faults > 0 && members.Count > 0; faults--)
        {
            var i = r.Next(members.Count);
            switch (r.Next(8))
            {
                case 0 or 1: members[i] = (members[i].Name, OddValue(r)); break;
                case 2: members.RemoveAt(i); break;
                case 3: members.Insert(r.Next(members.Count + 1), (members[i].Name, r.Next(2) == 0 ? members[i].Value : OddValue(r))); break;
                case 4: members.Insert(r.Next(members.Count + 1), (r.One(OddNames), r.Next(2) == 0 ? members[i].Value : OddValue(r))); break;
                case 5: members[i] = (r.One(OddNames), members[i].Value); break;
                case 6: members[i] = (members[i].Name, LongString(r)); break;
                default: members.Reverse(); break;
            }
        }
    }

    /// <summary>
    /// A push's array of events, all of which the server must refuse under an empty ACL: the
    /// pusher's own (denied), other users' (user mismatch), one uuid repeated in several spellings
    /// and contents, elements that are not objects, broken events, and many events at once.
    /// </summary>
    public static string EventArray(Random r, FuzzIdentities ids, string me)
    {
        var elements = new List<string>();
        var kind = r.Next(7);
        if (kind == 5)
        {
            // A mix of all the others.
            for (var n = r.Next(2, 5); n > 0; n--)
                elements.Add(EventArray(r, ids, me)[1..^1]);
            elements.RemoveAll(e => e.Length == 0);
        }
        else
        {
            var count = kind == 6 ? r.Next(10, 200) : r.Next(1, 5);
            for (var n = 0; n < count; n++)
                elements.Add(kind == 2 && n == 0 ? string.Join(",", RepeatedUuid(r, ids, me)) : Element(r, ids, me, kind));
        }
        return "[" + string.Join(",", elements) + "]";
    }

    private static string Element(Random r, FuzzIdentities ids, string me, int kind)
    {
        switch (kind)
        {
            case 1:
                return Object(EventMembers(r, NewUuid(r), r.One(ids.Others(me))));
            case 3:
                return OddValue(r);
            case 4:
                var members = EventMembers(r, NewUuid(r), me);
                Break(r, members);
                return Object(members);
            default:
                return Object(EventMembers(r, NewUuid(r), me));
        }
    }

    /// <summary>One uuid several times: the same event again, in another letter case, with other content, or another user's.</summary>
    private static IEnumerable<string> RepeatedUuid(Random r, FuzzIdentities ids, string me)
    {
        var uuid = NewUuid(r);
        var first = EventMembers(r, uuid, me);
        yield return Object(first);
        for (var n = r.Next(1, 5); n > 0; n--)
        {
            var copy = first.ToList();
            switch (r.Next(5))
            {
                case 0: break;
                case 1: copy[0] = (copy[0].Name, Quote(uuid.ToUpperInvariant())); break;
                case 2: copy[0] = (copy[0].Name, Quote(MixCase(r, uuid))); copy[5] = (copy[5].Name, "\"{\\\"other\\\":1}\""); break;
                case 3: copy[5] = (copy[5].Name, "\"changed\""); break;
                default: copy[2] = (copy[2].Name, Quote(r.One(ids.Others(me)))); break;
            }
            yield return Object(copy);
        }
    }

    /// <summary>A <c>POST /sync</c> body: <c>{"cursor": N, "events": [...]}</c>, often with a fault in its frame.</summary>
    public static string SyncRequest(Random r, FuzzIdentities ids, string me)
    {
        var members = new List<(string Name, string Value)> { ("\"cursor\"", Cursor(r)), ("\"events\"", EventArray(r, ids, me)) };
        // Most frames are right, so that most pushes reach the events inside them.
        switch (r.Next(12))
        {
            case 0: members.RemoveAt(r.Next(2)); break;
            case 1: members.Add(members[r.Next(2)]); break;
            case 2: members.Insert(r.Next(3), (r.One(OddNames), OddValue(r))); break;
            case 3: members[1] = (members[1].Name, OddValue(r)); break;
            case 4: members.Reverse(); break;
            default: break;
        }
        return Object(members);
    }

    private static string Cursor(Random r) => r.Next(8) switch
    {
        0 => r.One(["-1", "1.5", "\"0\"", "null", "9223372036854775807", "9223372036854775808", "1e2", "0.0", "-0", "[0]", "00"]),
        1 => OddValue(r),
        _ => r.Next(5).ToString(),
    };

    private static readonly string[] Usernames =
    [
        "\"admin\"", "\"alice\"", "\"bob\"", "\"ALICE\"", "\"nobody\"", "\"\"", "\"al ice\"", "\"admin\\u0000\"", "\"\\ud800\"",
        "\"alice\\u200b\"", Quote(new string('a', 65)), "\"admin\\udc00\"",
    ];

    private static readonly string[] Passwords =
    [
        "\"wrong-password\"", "\"\"", "\"short\"", "\"pw-alice-secret \"", Quote(new string('p', 1025)), "\"\\ud800\\ud800\\ud800\"",
        "\"p\\u00e4ssw\\u00f6rd\"", "\"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\"",
    ];

    /// <summary>
    /// A login body. Alice's own password appears (a valid login changes nothing); the admin's
    /// never does: the generator does not know it, so no request here can act as the admin by logging in.
    /// </summary>
    public static string Login(Random r, FuzzIdentities ids)
    {
        var username = r.Next(4) == 0 ? OddValue(r) : r.One(Usernames);
        var password = username == "\"alice\"" && r.Next(3) == 0 ? Quote(ids.AlicePassword)
            : r.Next(3) == 0 ? OddValue(r) : r.One(Passwords);
        var members = new List<(string Name, string Value)> { ("\"username\"", username), ("\"password\"", password) };
        if (r.Next(3) == 0)
            Break(r, members);
        return Object(members);
    }
}
