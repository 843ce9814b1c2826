using System.Net;
using System.Net.Http.Json;
using SimpleSync.Protocol;

namespace SimpleSync.Tests.Support;

/// <summary>Reads of the admin endpoints, for checking what a request did or did not change.</summary>
internal static class AdminApi
{
    /// <summary>GET /acl as raw JSON text.</summary>
    public static async Task<string> GetAclJsonAsync(this HttpClient admin)
    {
        using var response = await admin.GetAsync("/acl", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<List<AclChange>> GetAclHistoryAsync(this HttpClient admin)
    {
        using var response = await admin.GetAsync("/acl/history", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<AclChange>>(TestContext.Current.CancellationToken))!;
    }

    public static async Task<List<UserInfo>> GetUsersAsync(this HttpClient admin)
    {
        using var response = await admin.GetAsync("/admin/users", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<UserInfo>>(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Sends a raw JSON body, so tests can send what no typed client would.</summary>
    public static async Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = TestEvents.Content(json);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
