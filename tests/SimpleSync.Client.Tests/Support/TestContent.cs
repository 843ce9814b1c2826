using System.Text;

namespace SimpleSync.Client.Tests.Support;

internal static class TestContent
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
