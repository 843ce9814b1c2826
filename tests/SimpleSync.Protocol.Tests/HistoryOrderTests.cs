namespace SimpleSync.Protocol.Tests;

public sealed class HistoryOrderTests
{
    private const string Lower = "aaaaaaaa-0000-7000-8000-000000000000";
    private const string Upper = "AAAAAAAA-0000-7000-8000-000000000000";
    private const string Digits = "11111111-0000-7000-8000-000000000000";
    private const string LowerB = "bbbbbbbb-0000-7000-8000-000000000000";

    [Theory]
    [InlineData(1UL, LowerB, 2UL, Lower, -1)]
    [InlineData(2UL, Lower, 1UL, LowerB, 1)]
    [InlineData(0UL, Lower, ulong.MaxValue, Lower, -1)]
    [InlineData(9223372036854775807UL, Lower, 9223372036854775808UL, Lower, -1)]
    [InlineData(9223372036854775808UL, Lower, 9223372036854775807UL, Digits, 1)]
    [InlineData(5UL, Lower, 5UL, LowerB, -1)]
    [InlineData(5UL, Digits, 5UL, Upper, -1)]
    [InlineData(5UL, Upper, 5UL, Lower, -1)]
    [InlineData(5UL, Lower, 5UL, Upper, 1)]
    [InlineData(5UL, Lower, 5UL, Lower, 0)]
    public void Events_are_ordered_by_timestamp_then_uuid_as_ordinal_text(ulong tsA, string uuidA, ulong tsB, string uuidB, int expected)
    {
        var a = new Event(uuidA, tsA, "user-1", "item", "set", "a");
        var b = new Event(uuidB, tsB, "user-2", "other", "del", "b");

        Assert.Equal(expected, Math.Sign(Event.HistoryOrder.Compare(a, b)));
        Assert.Equal(-expected, Math.Sign(Event.HistoryOrder.Compare(b, a)));
    }

    [Fact]
    public void Sorting_by_history_order_gives_one_sequence_whatever_the_input_order()
    {
        var expected = new[]
        {
            new Event(LowerB, 0, "u", "i", "a", ""),
            new Event(Digits, 7, "u", "i", "a", ""),
            new Event(Upper, 7, "u", "i", "a", ""),
            new Event(Lower, 7, "u", "i", "a", ""),
            new Event(Lower, 9223372036854775808UL, "u", "i", "a", ""),
            new Event(Digits, ulong.MaxValue, "u", "i", "a", ""),
        };

        for (var seed = 0; seed < 20; seed++)
        {
            var shuffled = expected.ToArray();
            new Random(seed).Shuffle(shuffled);
            Assert.Equal(expected, shuffled.Order(Event.HistoryOrder));
        }
    }
}
