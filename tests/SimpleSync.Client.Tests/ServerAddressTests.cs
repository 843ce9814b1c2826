namespace SimpleSync.Client.Tests;

/// <summary>
/// The password and the token never go over plain http:// to another machine unless the app
/// says so: such an address is refused when the client is built, before any request.
/// </summary>
public sealed class ServerAddressTests
{
    public static TheoryData<string> AlwaysAllowed =>
    [
        "https://example.test/",
        "https://10.1.2.3:8443/simple-sync/",
        "http://localhost:8080/",
        "http://LOCALHOST/",
        "http://127.0.0.1:8080/",
        "http://127.8.9.10/",
        "http://[::1]:8080/",
    ];

    public static TheoryData<string> AllowedOnlyByOptIn =>
    [
        "http://example.test/",
        "http://10.1.2.3:8080/",
        "http://192.168.1.20/",
        "http://[fd00::1]/",
        "http://localhost.example.test/",
        "http://128.0.0.1/",
    ];

    [Theory]
    [MemberData(nameof(AlwaysAllowed))]
    public void Https_and_loopback_http_addresses_are_accepted_without_opting_in(string address)
    {
        using var client = new SyncClient(new HttpClient { BaseAddress = new Uri(address) }, null);

        Assert.False(client.Status().IsLoggedIn);
    }

    [Theory]
    [MemberData(nameof(AllowedOnlyByOptIn))]
    public void Plain_http_to_another_machine_is_refused_unless_the_app_opts_in(string address)
    {
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var refusal = Assert.Throws<ArgumentException>(() => new SyncClient(http, null));
        Assert.Equal("http", refusal.ParamName);

        using var optedIn = new SyncClient(http, null, options: new SyncClientOptions { AllowInsecureHttp = true });
        Assert.False(optedIn.Status().IsLoggedIn);
    }

    [Fact]
    public void A_client_without_a_base_address_or_with_another_scheme_is_refused_even_with_the_opt_in()
    {
        var optIn = new SyncClientOptions { AllowInsecureHttp = true };
        using var none = new HttpClient();
        using var ftp = new HttpClient { BaseAddress = new Uri("ftp://example.test/") };

        Assert.Equal("http", Assert.Throws<ArgumentException>(() => new SyncClient(none, null, options: optIn)).ParamName);
        Assert.Equal("http", Assert.Throws<ArgumentException>(() => new SyncClient(ftp, null, options: optIn)).ParamName);
    }

    [Fact]
    public void Limits_below_one_are_refused_with_the_name_of_the_option()
    {
        using var http = new HttpClient { BaseAddress = new Uri("https://example.test/") };
        var refusals = new[]
        {
            new SyncClientOptions { MaxPushEvents = 0 },
            new SyncClientOptions { MaxPushBytes = 0 },
            new SyncClientOptions { MaxResponseBytes = -1 },
            new SyncClientOptions { MaxStreamMessageBytes = 0 },
        }.Select(options => Assert.Throws<ArgumentOutOfRangeException>(() => new SyncClient(http, null, options: options)).ParamName);

        Assert.Equal(
            ["SyncClientOptions.MaxPushEvents", "SyncClientOptions.MaxPushBytes", "SyncClientOptions.MaxResponseBytes", "SyncClientOptions.MaxStreamMessageBytes"],
            refusals);
    }
}
