using System.Text;

namespace SimpleSync.Tests.Support;

/// <summary>
/// Bodies for <c>PUT /acl</c>, <c>POST /admin/users</c> and <c>PUT /admin/users/{uuid}</c>. A
/// request that carries the admin's token (in any spelling) must not be able to change the users
/// or the ACL, so it gets only bodies that no correct server accepts: the hand-made lists below,
/// each wrong for a reason of its own; mutations of them that are no longer well-formed JSON; and
/// any body at all behind a first member that no request type has (<see cref="UnknownFirstMember"/>),
/// which every admin endpoint refuses whole. Other tokens get valid bodies too: they are refused
/// before the body is read.
/// </summary>
internal static class FuzzAdminBodies
{
    /// <summary>A member no admin request has; a body that opens with it is refused whatever follows.</summary>
    public const string UnknownFirstMember = "{\"fuzz\":0,";

    private const string Rule = "{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":true}";

    public static readonly string[] InvalidAcls =
    [
        "{}", "{\"rules\":null}", "{\"rules\":{}}", "{\"rules\":\"[]\"}", "{\"rules\":[],\"rules\":[]}", "{\"Rules\":[]}",
        "{\"rules\":[],\"extra\":1}", "{\"\\ud800\":[],\"rules\":[]}", "[]", "null", "42", "\"rules\"", "{\"rules\":[]} x",
        "{\"rules\":[]}{}", "{\"rules\":[42]}", "{\"rules\":[null]}", "{\"rules\":[[]]}",
        "{\"rules\":[" + new string('[', 20) + new string(']', 20) + "]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":\"yes\"}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\"}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":true,\"x\":1}]}",
        "{\"rules\":[{\"user\":\"*\",\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"ta*sk\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"u-*\",\"item\":\"*\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"*x\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"\",\"item\":\"*\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"\\u0001\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"\\ud800\",\"item\":\"*\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"\\udc00\":\"*\",\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"" + new string('a', 129) + "\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"" + new string('i', 257) + "\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":1}]}",
        "{\"rules\":[{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":1e999}]}",
        "{\"rules\":[{\"user\":42,\"item\":\"*\",\"action\":\"*\",\"allow\":true}]}",
        "{\"rules\":[" + Rule + ",{\"user\":\"*\",\"item\":\"*\",\"action\":\"*\",\"allow\":null}]}",
        "{\"rules\":[" + string.Join(",", Enumerable.Repeat(Rule, 500)) + ",{}]}",
    ];

    public static readonly string[] ValidAcls = ["{\"rules\":[]}", "{\"rules\":[" + Rule + "]}"];

    public static readonly string[] InvalidNewUsers =
    [
        "{}", "[]", "null", "\"user\"", "42",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"short\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"" + new string('p', 1025) + "\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz user\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"" + new string('f', 65) + "\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\\u0000\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"f\\u00fczz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"\\ud800\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"alice\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"ALICE\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"user-alice\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-\\u0001\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"" + new string('u', 129) + "\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"\\ud800\",\"username\":\"fuzz\",\"password\":\"short\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"\\ud800\\udc00\\ud800\"}",
        "{\"uuid\":42,\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":null,\"password\":\"long-enough-pw\"}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":true}",
        "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\",\"admin\":true}",
        "{\"uuid\":\"u-fuzz\",\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"\\ud800\":1,\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":" + new string('[', 100) + new string(']', 100) + ",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
        "{\"uuid\":1e999,\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}",
    ];

    public const string ValidNewUser = "{\"uuid\":\"u-fuzz\",\"username\":\"fuzz\",\"password\":\"long-enough-pw\"}";

    public static readonly string[] InvalidUserUpdates =
    [
        "{}", "[]", "null", "{\"new_username\":null,\"new_password\":null}", "{\"new_password\":\"short\"}",
        "{\"new_username\":\"bad name\"}", "{\"new_username\":\"\"}", "{\"new_username\":42}", "{\"new_password\":true}",
        "{\"password\":\"long-enough-pw\"}", "{\"new_password\":\"long-enough-pw\",\"x\":1}", "{\"new_username\":\"\\ud800\"}",
        "{\"\\ud800\":1,\"new_password\":\"long-enough-pw\"}", "{\"new_password\":\"long-enough-pw\",\"new_password\":\"long-enough-pw\"}",
        "{\"newPassword\":\"long-enough-pw\"}", "{\"new_password\":" + new string('[', 100) + new string(']', 100) + "}",
        "{\"new_password\":\"" + new string('p', 1025) + "\"}", "{\"new_username\":\"" + new string('n', 65) + "\"}",
    ];

    public static readonly string[] ValidUserUpdates =
    [
        "{\"new_password\":\"long-enough-pw\"}", "{\"new_username\":\"renamed\"}",
        "{\"new_username\":\"renamed\",\"new_password\":\"long-enough-pw\"}",
    ];

    /// <summary>
    /// A body for an admin write sent with the admin's token: one of <paramref name="invalid"/>, a
    /// mutation of any body that is no longer well-formed JSON, or any body behind
    /// <see cref="UnknownFirstMember"/> with faults past it.
    /// </summary>
    public static byte[] ForAdmin(Random r, string[] invalid, string[] valid)
    {
        var any = r.Next(2) == 0 ? r.One(invalid) : r.One(valid);
        switch (r.Next(3))
        {
            case 0:
                return Encoding.UTF8.GetBytes(r.One(invalid));
            case 1:
                var mutated = FuzzBytes.Mutate(r, Encoding.UTF8.GetBytes(any));
                return FuzzBytes.IsWellFormedJson(mutated) ? Encoding.UTF8.GetBytes(r.One(invalid)) : mutated;
            default:
                var prefixed = any.StartsWith('{') ? UnknownFirstMember + any[1..] : UnknownFirstMember + "\"x\":" + any + "}";
                var bytes = Encoding.UTF8.GetBytes(prefixed);
                if (r.Next(2) == 0)
                    bytes = FuzzBytes.Mutate(r, bytes, from: UnknownFirstMember.Length);
                // The guard against a generator bug: such a body would let the fuzzer really change users or the ACL.
                return bytes.AsSpan().StartsWith(Encoding.UTF8.GetBytes(UnknownFirstMember)) || !FuzzBytes.IsWellFormedJson(bytes)
                    ? bytes
                    : throw new InvalidOperationException("the fuzzer made an admin body that could be valid");
        }
    }
}
