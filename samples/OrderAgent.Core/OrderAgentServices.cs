using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.Http;

namespace OrderAgent;

/// <summary>Registers the order-support agent: the client (Claude, or the fake model without a key) and its tools.</summary>
public static class OrderAgentServices
{
    /// <summary>The agent's instructions.</summary>
    public const string SystemPrompt = """
        You are the support agent of an online store. Use the tools to look up orders and shipments; never guess
        order details. Answer briefly and warmly, with the delivery date when you know it.
        """;

    /// <summary>Gets whether an API key is set, so the demos talk to Claude rather than the fake model.</summary>
    public static bool UsesClaude => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable));

    /// <summary>Adds StreamingAgents with the order tools, on Claude or on the fake model.</summary>
    /// <param name="services">The services.</param>
    /// <param name="database">The orders.</param>
    /// <returns>The StreamingAgents builder, to keep configuring.</returns>
    public static StreamingAgentsBuilder AddOrderAgent(this IServiceCollection services, OrderDatabase database)
    {
        bool useClaude = UsesClaude;
        StreamingAgentsBuilder agents = services.AddStreamingAgents(options => options.ApiKey = useClaude ? null : "fake-model-needs-no-key")
            .AddTool(OrderTools.SearchOrders(database))
            .AddTool(OrderTools.GetShippingStatus(database))
            .AddTool(OrderTools.RequestRefund(database)); // needs a person's approval: the console asks, the web page shows buttons
        if (!useClaude)
        {
            agents.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(provider => OrderModel.CreateHandler(database, provider.GetService<TimeProvider>()));
        }

        return agents;
    }
}
