using System.Text;

namespace SimpleSync.Protocol;

/// <summary>The field rules of an event (docs/protocol.md, "Field rules"), shared by the server, the CLI and the SDKs.</summary>
public static class EventRules
{
    /// <summary>Longest <c>itemUuid</c>, in Unicode scalar values.</summary>
    public const int MaxItemUuidLength = 256;
    /// <summary>Longest <c>action</c>, in Unicode scalar values.</summary>
    public const int MaxActionLength = 128;
    /// <summary>Longest <c>userUuid</c> (and user uuid), in Unicode scalar values.</summary>
    public const int MaxUserUuidLength = 128;
    /// <summary>The default <c>limits.max_payload_bytes</c>: 64 KiB of UTF-8.</summary>
    public const int DefaultMaxPayloadBytes = 64 * 1024;

    /// <summary>
    /// Checks the content of an event whose fields have the right JSON types.
    /// Returns null when the event is valid.
    /// </summary>
    public static EventRejection? Validate(Event e, int maxPayloadBytes)
    {
        if (!IsCanonicalUuid(e.Uuid))
            return Invalid("uuid", "must be canonical UUID text (8-4-4-4-12 hexadecimal digits)");
        if (CheckText(e.UserUuid, MaxUserUuidLength) is { } userProblem)
            return Invalid("userUuid", userProblem);
        if (CheckText(e.ItemUuid, MaxItemUuidLength) is { } itemProblem)
            return Invalid("itemUuid", itemProblem);
        if (CheckText(e.Action, MaxActionLength) is { } actionProblem)
            return Invalid("action", actionProblem);
        var payloadBytes = Encoding.UTF8.GetByteCount(e.Payload);
        if (payloadBytes > maxPayloadBytes)
        {
            return new EventRejection(RejectionReasons.PayloadTooLarge,
                $"payload: {payloadBytes} bytes is more than the limit of {maxPayloadBytes} bytes");
        }
        return null;
    }

    /// <summary>True for 8-4-4-4-12 hexadecimal text (either case), any version.</summary>
    public static bool IsCanonicalUuid(string value)
    {
        if (value.Length != 36)
            return false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = i is 8 or 13 or 18 or 23 ? c == '-' : char.IsAsciiHexDigit(c);
            if (!ok)
                return false;
        }
        return true;
    }

    /// <summary>
    /// Checks a required text field: 1..maxLength Unicode scalar values, no control characters.
    /// Returns null when fine, otherwise what is wrong.
    /// </summary>
    public static string? CheckText(string value, int maxLength)
    {
        if (value.Length == 0)
            return "must not be empty";
        var count = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
                return "must not contain control characters";
            count++;
        }
        return count > maxLength ? $"must be at most {maxLength} characters" : null;
    }

    internal static EventRejection Invalid(string field, string problem) =>
        new(RejectionReasons.InvalidField, $"{field}: {problem}");
}
