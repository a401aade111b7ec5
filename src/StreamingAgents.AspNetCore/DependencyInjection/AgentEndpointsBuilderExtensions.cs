using Microsoft.Extensions.Options;
using StreamingAgents.AspNetCore.Endpoints;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the agent endpoints need.</summary>
public static class AgentEndpointsBuilderExtensions
{
    /// <summary>
    /// Registers the agent endpoints' options and detached runs (<c>AddDetachedRuns</c>), for
    /// <c>app.MapAgentRuns(...)</c> and the SignalR hub.
    /// </summary>
    /// <param name="builder">The StreamingAgents builder.</param>
    /// <param name="configure">Sets the endpoint options (message limit, system prompt, owner, SSE settings).</param>
    /// <returns>The builder.</returns>
    public static StreamingAgentsBuilder AddAgentEndpoints(this StreamingAgentsBuilder builder, Action<AgentEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<AgentEndpointOptions> options = builder.Services.AddOptions<AgentEndpointOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(static o => o.MaxMessageLength > 0, "AgentEndpointOptions.MaxMessageLength must be at least 1.").ValidateOnStart();
        return builder.AddDetachedRuns();
    }
}
