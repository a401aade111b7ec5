using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderAgent;
using StreamingAgents.Redis;
using StreamingAgents.Tools;

namespace OrderAgent.Web;

/// <summary>The web demo: the agent endpoints at <c>/api</c> and the page at <c>/</c>.</summary>
public static class OrderWebApp
{
    /// <summary>Builds the application.</summary>
    /// <param name="args">Command-line arguments (for example <c>--urls http://127.0.0.1:5080</c>).</param>
    /// <param name="configure">Lets tests change the model, the tools or the web root.</param>
    /// <returns>The application, ready to run.</returns>
    public static WebApplication Create(string[] args, Action<OrderWebAppOptions>? configure = null)
    {
        var options = new OrderWebAppOptions();
        configure?.Invoke(options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, WebRootPath = options.WebRootPath });
        if (options.TimeProvider is { } time)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(time));
        }

        var database = new OrderDatabase(DateOnly.FromDateTime(DateTime.Now));
        StreamingAgentsBuilder agents = options.Model is { } model
            ? builder.Services.AddStreamingAgents(o => o.ApiKey = "fake-model-needs-no-key").AddTools(options.Tools ?? [OrderTools.SearchOrders(database), OrderTools.GetShippingStatus(database), OrderTools.RequestRefund(database)])
            : builder.Services.AddOrderAgent(database);
        if (options.Model is { } handler)
        {
            agents.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(handler);
        }

        // Several instances behind a load balancer share runs through Redis: --RunStore:Redis=127.0.0.1:6379.
        if (!string.IsNullOrEmpty(builder.Configuration[RedisAgentRunStoreOptions.ConfigurationKey]))
        {
            agents.AddRedisRunStore();
        }

        builder.Services.AddHostedService<LatencyLog>(); // logs what the StreamingAgents meter measures

        agents.AddAgentEndpoints(endpoints =>
        {
            endpoints.SystemPrompt = OrderAgentServices.SystemPrompt;
            if (options.KeepAliveInterval is { } keepAlive)
            {
                endpoints.Sse.KeepAliveInterval = keepAlive;
            }
        });

        WebApplication app = builder.Build();
        app.UseWebSockets();
        options.ConfigurePipeline?.Invoke(app);
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapAgentRuns("/api");
        return app;
    }

    private static StreamingAgentsBuilder AddTools(this StreamingAgentsBuilder agents, IEnumerable<AgentTool> tools)
    {
        foreach (AgentTool tool in tools)
        {
            agents.AddTool(tool);
        }

        return agents;
    }
}

/// <summary>What tests may change in the web demo.</summary>
public sealed class OrderWebAppOptions
{
    /// <summary>Gets or sets the model's HTTP handler, instead of Claude or the built-in fake.</summary>
    public Func<IServiceProvider, HttpMessageHandler>? Model { get; set; }

    /// <summary>Gets or sets the tools, with <see cref="Model"/> (defaults to the order tools).</summary>
    public IReadOnlyList<AgentTool>? Tools { get; set; }

    /// <summary>Gets or sets the folder the page is served from (defaults to the app's wwwroot).</summary>
    public string? WebRootPath { get; set; }

    /// <summary>Gets or sets the SSE keep-alive interval.</summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>Gets or sets middleware to add before the endpoints (tests drop connections with it).</summary>
    public Action<WebApplication>? ConfigurePipeline { get; set; }

    /// <summary>Gets or sets the clock.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
