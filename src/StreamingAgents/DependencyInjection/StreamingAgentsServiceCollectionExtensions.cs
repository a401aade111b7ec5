using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.DependencyInjection;
using StreamingAgents.Http;
using StreamingAgents.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StreamingAgents in a service collection.</summary>
public static class StreamingAgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAnthropicClient"/> as a typed client of <see cref="IHttpClientFactory"/>, with options
    /// validated at startup.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; the API key falls back to the <c>ANTHROPIC_API_KEY</c> environment variable.</param>
    /// <returns>A builder to keep configuring (HTTP handlers, tools, the runner).</returns>
    /// <remarks>Also registers <see cref="IAgentRunner"/> and the <see cref="IToolRegistry"/> of the tools added to the builder.</remarks>
    public static StreamingAgentsBuilder AddStreamingAgents(this IServiceCollection services, Action<AnthropicClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, services.AddOptions<AnthropicClientOptions>().Configure(configure));
    }

    /// <summary>Registers StreamingAgents with default options; the API key comes from <c>ANTHROPIC_API_KEY</c>.</summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to keep configuring (HTTP handlers, tools, the runner).</returns>
    public static StreamingAgentsBuilder AddStreamingAgents(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddCore(services, services.AddOptions<AnthropicClientOptions>());
    }

    /// <summary>Registers StreamingAgents with options bound from configuration (for example the "Anthropic" section).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding <see cref="AnthropicClientOptions"/> properties by name.</param>
    /// <returns>A builder to keep configuring (HTTP handlers, tools).</returns>
    public static StreamingAgentsBuilder AddStreamingAgents(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, services.AddOptions<AnthropicClientOptions>().Bind(configuration));
    }

    private static StreamingAgentsBuilder AddCore(IServiceCollection services, OptionsBuilder<AnthropicClientOptions> options)
    {
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnthropicClientOptions>, AnthropicClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        IHttpClientBuilder http = services.AddHttpClient<IAnthropicClient, AnthropicClient>(static (httpClient, provider) => new AnthropicClient(
            httpClient,
            provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<AnthropicClient>>()));

        // A healthy stream can last for minutes; the client's own idle and stall timeouts guard it instead.
        http.ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan);

        // The registry holds every AgentTool registered (AddTool); duplicate names fail when it is first resolved.
        services.TryAddSingleton<IToolRegistry>(static provider => new ToolRegistry(provider.GetServices<AgentTool>()));
        services.AddOptions<AgentRunnerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentRunnerOptions>, AgentRunnerOptionsValidator>());
        services.TryAddTransient<IAgentRunner>(static provider => new AgentRunner(
            provider.GetRequiredService<IAnthropicClient>(),
            provider.GetRequiredService<IToolRegistry>(),
            provider.GetRequiredService<IOptions<AgentRunnerOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<AgentRunner>>()));
        return new StreamingAgentsBuilder(services, http);
    }
}
