using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.DependencyInjection;
using StreamingAgents.Runs;
using StreamingAgents.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Continues the configuration started by <c>services.AddStreamingAgents(...)</c>.</summary>
public sealed class StreamingAgentsBuilder
{
    internal StreamingAgentsBuilder(IServiceCollection services, IHttpClientBuilder httpClientBuilder, string? agentName)
    {
        Services = services;
        HttpClientBuilder = httpClientBuilder;
        AgentName = agentName;
    }

    /// <summary>
    /// Gets the name of the agent this builder configures (its service key); <see langword="null"/> for the default
    /// agent, registered without a key.
    /// </summary>
    public string? AgentName { get; }

    /// <summary>Gets the service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Gets the builder of the Anthropic client's <see cref="HttpClient"/>, to add or replace message handlers
    /// (logging, proxies, a fake handler in tests).
    /// </summary>
    public IHttpClientBuilder HttpClientBuilder { get; }

    /// <summary>Registers a tool instance for this agent, shared by all its runs.</summary>
    /// <param name="tool">The tool.</param>
    /// <returns>This builder.</returns>
    public StreamingAgentsBuilder AddTool(AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (AgentName is null)
        {
            Services.AddSingleton(tool);
        }
        else
        {
            Services.AddKeyedSingleton(AgentName, tool);
        }

        return this;
    }

    /// <summary>
    /// Registers a tool class for this agent, created by dependency injection in each run's scope: its constructor may
    /// take scoped services (a <c>DbContext</c>, the current user), which are disposed when the run ends.
    /// </summary>
    /// <typeparam name="TTool">The tool type.</typeparam>
    /// <returns>This builder.</returns>
    public StreamingAgentsBuilder AddTool<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TTool>()
        where TTool : AgentTool
    {
        if (AgentName is null)
        {
            Services.AddScoped<AgentTool, TTool>();
        }
        else
        {
            Services.AddKeyedScoped<AgentTool, TTool>(AgentName);
        }

        return this;
    }

    /// <summary>
    /// Registers <see cref="AgentRunManager"/> for runs of this agent detached from their consumer (resumable by
    /// sequence), over the <see cref="IAgentRunStore"/> already registered, or else an <see cref="InMemoryAgentRunStore"/>.
    /// A named agent's manager is keyed by its name.
    /// </summary>
    /// <param name="configure">Sets the in-memory store's bounds; <see langword="null"/> for the defaults.</param>
    /// <returns>This builder.</returns>
    public StreamingAgentsBuilder AddDetachedRuns(Action<InMemoryAgentRunStoreOptions>? configure = null)
    {
        OptionsBuilder<InMemoryAgentRunStoreOptions> options = Services.AddOptions<InMemoryAgentRunStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemoryAgentRunStoreOptions>, InMemoryAgentRunStoreOptionsValidator>());
        Services.TryAddSingleton<IAgentRunStore>(static provider => new InMemoryAgentRunStore(
            provider.GetRequiredService<IOptions<InMemoryAgentRunStoreOptions>>().Value,
            provider.GetService<TimeProvider>()));
        if (AgentName is null)
        {
            Services.TryAddSingleton(static provider => CreateManager(provider, provider.GetRequiredService<IAgentRunner>()));
        }
        else
        {
            Services.TryAddKeyedSingleton(AgentName, static (provider, key) => CreateManager(provider, provider.GetRequiredKeyedService<IAgentRunner>(key)));
        }

        return this;
    }

    /// <summary>
    /// Registers <see cref="Microsoft.Extensions.AI.IChatClient"/> over this client (an <see cref="StreamingAgents.AI.AnthropicChatClient"/>) and returns
    /// Microsoft.Extensions.AI's builder, so pipelines chain the usual way: <c>.AddChatClient().UseFunctionInvocation().UseOpenTelemetry()</c>.
    /// </summary>
    /// <param name="defaultModelId">The model when a request names none; <see langword="null"/> for the client's default.</param>
    /// <param name="lifetime">
    /// The chat client's lifetime. Transient by default, like the typed <c>HttpClient</c> under it: a singleton would
    /// keep one handler for ever and miss <see cref="IHttpClientFactory"/>'s rotation.
    /// </param>
    /// <returns>The chat client builder.</returns>
    public Microsoft.Extensions.AI.ChatClientBuilder AddChatClient(string? defaultModelId = null, ServiceLifetime lifetime = ServiceLifetime.Transient) =>
        Services.AddChatClient(provider => new StreamingAgents.AI.AnthropicChatClient(provider.GetRequiredService<StreamingAgents.Http.IAnthropicClient>(), defaultModelId), lifetime);

    /// <summary>Configures this agent's runner.</summary>
    /// <param name="configure">Sets the options.</param>
    /// <returns>This builder.</returns>
    public StreamingAgentsBuilder ConfigureRunner(Action<AgentRunnerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(AgentName ?? Microsoft.Extensions.Options.Options.DefaultName, configure);
        return this;
    }

    private static AgentRunManager CreateManager(IServiceProvider provider, IAgentRunner runner) => new(
        runner,
        provider.GetRequiredService<IAgentRunStore>(),
        provider.GetService<TimeProvider>(),
        provider.GetService<ILogger<AgentRunManager>>());
}
