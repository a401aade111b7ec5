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
    /// <remarks>
    /// Also registers the default agent: <see cref="IAgentRunner"/> and the <see cref="IToolRegistry"/> of the tools
    /// added to the builder, resolved in each run's service scope.
    /// </remarks>
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

    /// <summary>
    /// Registers a named agent, with its own options (model, system prompt, limits) and tools: a keyed
    /// <see cref="IAgentRunner"/> (<c>[FromKeyedServices("support")] IAgentRunner support</c>). Add its tools to the
    /// builder returned. The Anthropic client is shared by every agent: configure it with the unnamed overload, or
    /// <c>services.Configure&lt;AnthropicClientOptions&gt;(...)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The agent's name, its service key.</param>
    /// <param name="configure">Sets the agent's options.</param>
    /// <returns>A builder to keep configuring this agent (its tools, detached runs).</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <remarks>Each agent's options and tools are validated at startup, naming the agent.</remarks>
    public static StreamingAgentsBuilder AddStreamingAgents(this IServiceCollection services, string name, Action<AgentRunnerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        IHttpClientBuilder http = AddClient(services, services.AddOptions<AnthropicClientOptions>());
        services.AddOptions<AgentRunnerOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddKeyedScoped<IToolRegistry>(name, static (provider, key) => new ToolRegistry(provider.GetKeyedServices<AgentTool>(key)));
        services.TryAddKeyedTransient<IAgentRunner>(name, static (provider, key) => CreateRunner(provider, (string)key!));
        return new StreamingAgentsBuilder(services, http, name);
    }

    private static StreamingAgentsBuilder AddCore(IServiceCollection services, OptionsBuilder<AnthropicClientOptions> options)
    {
        IHttpClientBuilder http = AddClient(services, options);

        // The registry holds every AgentTool registered (AddTool), resolved in the run's scope; duplicate names fail at startup.
        services.TryAddScoped<IToolRegistry>(static provider => new ToolRegistry(provider.GetServices<AgentTool>()));
        services.AddOptions<AgentRunnerOptions>().ValidateOnStart();
        services.TryAddTransient<IAgentRunner>(static provider => CreateRunner(provider, name: null));
        return new StreamingAgentsBuilder(services, http, agentName: null);
    }

    /// <summary>Registers the shared client once, however many agents are added.</summary>
    private static IHttpClientBuilder AddClient(IServiceCollection services, OptionsBuilder<AnthropicClientOptions> options)
    {
        if (services.FirstOrDefault(static service => service.ServiceType == typeof(ClientRegistration))?.ImplementationInstance is ClientRegistration registered)
        {
            return registered.HttpClientBuilder;
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnthropicClientOptions>, AnthropicClientOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentRunnerOptions>, AgentRunnerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        IHttpClientBuilder http = services.AddHttpClient<IAnthropicClient, AnthropicClient>(static (httpClient, provider) => new AnthropicClient(
            httpClient,
            provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<AnthropicClient>>()));

        // A healthy stream can last for minutes; the client's own idle and stall timeouts guard it instead.
        http.ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton(new ClientRegistration(http));
        return http;
    }

    /// <summary>A runner of the default agent (<paramref name="name"/> null) or of a named one; each run opens a service scope.</summary>
    private static AgentRunner CreateRunner(IServiceProvider provider, string? name)
    {
        IServiceScopeFactory scopes = provider.GetRequiredService<IServiceScopeFactory>();
        return new AgentRunner(
            provider.GetRequiredService<IAnthropicClient>(),
            () => RunScope.Open(scopes, name),
            provider.GetRequiredService<IOptionsMonitor<AgentRunnerOptions>>().Get(name ?? Microsoft.Extensions.Options.Options.DefaultName),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<AgentRunner>>());
    }

    /// <summary>Marks the client as registered, and keeps its HTTP builder for the agents added after it.</summary>
    private sealed class ClientRegistration(IHttpClientBuilder httpClientBuilder)
    {
        public IHttpClientBuilder HttpClientBuilder { get; } = httpClientBuilder;
    }
}
