using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SimpleSync.Acl;
using SimpleSync.Admin;
using SimpleSync.Auth;
using SimpleSync.Config;
using SimpleSync.Devices;
using SimpleSync.Errors;
using SimpleSync.Events;
using SimpleSync.Health;
using SimpleSync.Http;
using SimpleSync.Metrics;
using SimpleSync.OpenApi;
using SimpleSync.Protocol;
using SimpleSync.Push;
using SimpleSync.Storage;
using SimpleSync.Sync;
using SimpleSync.Tls;
using SimpleSync.WebConsole;

namespace SimpleSync;

/// <summary>
/// Builds the server from validated options alone. The framework's own configuration sources
/// (appsettings*.json, ASPNETCORE_* variables, the command line) are never loaded: the builder
/// is empty and Kestrel is bound from our options.
/// </summary>
internal static class ServerApp
{
    public static WebApplication Build(SimpleSyncOptions options, TimeProvider? time = null)
    {
        var certificate = ReadServerFiles(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "simple-sync",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Our RequestBody reader enforces the limit with a clear message; Kestrel's limit sits
            // just above it as a backstop for anything that reads the body another way.
            kestrel.Limits.MaxRequestBodySize = options.Limits.MaxBodyBytes + 1;
            Listen(kestrel, options.Server.Listen, certificate);
        });
        AddLogging(builder.Logging, options.Server.LogLevel);
        var hub = AddServices(builder.Services, options, time ?? TimeProvider.System);

        var app = builder.Build();
        // Opened now, so that a bad store fails the start at once; the feed follows it from its
        // head before the server takes a request.
        var store = app.Services.GetRequiredService<IEventStore>();
        app.Services.GetRequiredService<HistoryFeed>().FollowAsync(store, CancellationToken.None).GetAwaiter().GetResult();
        FilePrivacy.WarnAboutStore(options.Storage, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SimpleSync.Storage"));
        UsePipeline(app, hub, options);
        app.MapHealth();
        app.MapAuth();
        app.MapEvents();
        app.MapSync();
        app.MapAcl();
        app.MapAdminUsers();
        app.MapDevices();
        app.MapMetrics();
        app.MapSimpleSyncOpenApi();
        app.MapConsole();
        return app;
    }

    /// <summary>The framework's pieces, configured for an API that speaks JSON and problem+json only.</summary>
    private static void AddFramework(IServiceCollection services)
    {
        services.AddRoutingCore();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
            // The framework's web defaults read numbers from strings; the protocol does not.
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.Encoder = EventJson.Encoder;
        });
        services.AddSimpleSyncOpenApi();
        services.AddResponseEncoding();
        services.AddRequestDecoding();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemWriter.Customize);
        services.AddExceptionHandler<ProblemWriter>();
        // Authentication core only: AddAuthentication() would also start DataProtection, which
        // writes a key ring to the home directory that bearer tokens never use.
        services.AddWebEncoders();
        services.AddAuthenticationCore(auth =>
        {
            auth.DefaultScheme = BearerAuthentication.SchemeName;
            auth.AddScheme<BearerAuthentication>(BearerAuthentication.SchemeName, null);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(BearerAuthentication.AdminRole, policy => policy.RequireRole(BearerAuthentication.AdminRole));
        // SIGTERM: Kestrel stops accepting, in-flight requests finish (a push's answer is true),
        // streams are ended by the hub, then the store drains its queue. Bounded, so exit is prompt.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        services.AddMetrics();
    }

    /// <summary>Our own services. Returns the stream hub, which the pipeline closes at shutdown.</summary>
    private static StreamHub AddServices(IServiceCollection services, SimpleSyncOptions options, TimeProvider time)
    {
        AddFramework(services);
        services.AddBrowserAccess(options.Server.CorsOrigins);
        services.AddSingleton(options);
        services.AddSingleton(time);
        var hub = new StreamHub(options.Sync);
        services.AddSingleton(hub);
        services.AddSingleton<HistoryFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<HistoryFeed>());
        // Through a factory so that the container owns the store and disposes it at shutdown,
        // which drains the append queue. Each commit is told to the live feed.
        services.AddSingleton(provider => EventStores.OpenAsync(options.Storage,
            provider.GetRequiredService<HistoryFeed>().Committed, create: true, keepReads: true, CancellationToken.None).GetAwaiter().GetResult());
        services.AddSingleton(new TokenService(SigningKey.LoadOrCreate(options.Auth.JwtSecretFile), options.Auth, time));
        services.AddSingleton(new LoginThrottle(options.Auth, time));
        var hasher = new PasswordHasher(options.Auth.PasswordIterations);
        hasher.PrepareStandIn();
        services.AddSingleton(hasher);
        // Through a factory so that the container stops the workers at shutdown.
        services.AddSingleton(_ => new HashWorkers(HashWorkers.DefaultWorkers));
        services.AddSingleton<SyncMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<ScrapeToken>();
        services.AddSingleton<AclProvider>();
        services.AddSingleton<PushGate>();
        services.AddSingleton(SyncHealthLimits.Default);
        services.AddSingleton<SyncHealth>();
        services.AddHostedService(provider => provider.GetRequiredService<SyncHealth>());
        services.AddSingleton<PushEngine>();
        services.AddSingleton<StreamRevocation>();
        services.AddHostedService(provider => provider.GetRequiredService<StreamRevocation>());
        services.AddSingleton<AdminGrants>();
        services.AddSingleton<InitialAdmin>();
        services.AddHostedService(provider => provider.GetRequiredService<InitialAdmin>());
        return hub;
    }

    private static void UsePipeline(WebApplication app, StreamHub hub, SimpleSyncOptions options)
    {
        // Listening starts now, and our instruments exist from the start, so the first scrape
        // already shows every series (at zero) and counts every request before it.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetRequiredService<SyncMetrics>();
        // Read now, so that a metrics token file others can read is warned about at start-up.
        app.Services.GetRequiredService<ScrapeToken>();
        // Live streams end when shutdown starts, so they do not hold it up until the timeout.
        app.Lifetime.ApplicationStopping.Register(hub.Close);
        // First, so that everything after it (the log, the login throttle) sees the client's address.
        app.UseProxyHeaders(options.Server.TrustedProxies);
        app.UseRequestLogging();
        app.UseExceptionHandler();
        app.UseBrowserAccess(options.Server.CorsOrigins);
        app.UseResponseCompression();
        // Gzip bodies are inflated before our body reader, which counts the inflated bytes
        // against limits.max_body_bytes: a small compressed bomb still gets 413.
        app.UseRequestDecompression();
        app.UseStatusCodePages(ProblemWriter.WriteStatusPageAsync);
        app.UseAuthentication();
        app.UseAuthorization();
    }

    /// <summary>
    /// Reads the files that only the server uses (the CLI commands share the config but not these):
    /// one that is missing or unusable stops the start as a bad config value does, naming its key.
    /// </summary>
    private static ServerCertificate? ReadServerFiles(SimpleSyncOptions options)
    {
        var problems = new List<string>();
        var certificate = ServerCertificate.Load(options.Server, problems);
        ScrapeToken.Check(options.Metrics, problems);
        return problems.Count == 0 ? certificate : throw new ConfigException(options.SourceFile ?? "the environment", problems);
    }

    private static void Listen(KestrelServerOptions kestrel, string listen, ServerCertificate? certificate)
    {
        var uri = new Uri(listen);
        // Plain HTTP is HTTP/1.1 only: HTTP/2 without TLS (h2c) is spoken by no browser, and a
        // proxy in front speaks HTTP/1.1 to us anyway.
        var endpoint = certificate is null
            ? (ListenOptions plain) => plain.Protocols = HttpProtocols.Http1
            : certificate.Https(kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("SimpleSync.Tls"));
        if (uri.Host == "localhost")
            kestrel.ListenLocalhost(uri.Port, endpoint);
        else
            kestrel.Listen(IPAddress.Parse(uri.Host), uri.Port, endpoint);
    }

    private static void AddLogging(ILoggingBuilder logging, LogLevel level)
    {
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        // Logs are diagnostics: all of them go to stderr, leaving stdout to what the commands print.
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
            console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(level);
        // The framework's per-request chatter stays out unless asked for with log_level = "debug".
        logging.AddFilter("Microsoft", level <= LogLevel.Debug ? level : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", level);
        logging.AddFilter(typeof(BearerAuthentication).FullName, LogLevel.Warning);
        // A failed start is reported by the CLI in one line; the host's stack trace adds nothing.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }
}
