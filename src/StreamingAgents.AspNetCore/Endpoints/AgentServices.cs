using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Runs;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>Marks the endpoints of a named agent (<c>MapAgentRuns(prefix, agentName)</c>).</summary>
internal sealed record AgentNameMetadata(string Name);

/// <summary>
/// What an endpoint serves with: the endpoint options, and the runner and run manager of its named agent (keyed), or
/// of the default agent.
/// </summary>
internal static class AgentServices
{
    public static AgentEndpointOptions Options(HttpContext context) =>
        context.RequestServices.GetService<IOptions<AgentEndpointOptions>>()?.Value ?? new AgentEndpointOptions();

    public static AgentRunManager Runs(HttpContext context) => Name(context) is { } name
        ? context.RequestServices.GetRequiredKeyedService<AgentRunManager>(name)
        : context.RequestServices.GetRequiredService<AgentRunManager>();

    public static IAgentRunner Runner(HttpContext context) => Name(context) is { } name
        ? context.RequestServices.GetRequiredKeyedService<IAgentRunner>(name)
        : context.RequestServices.GetRequiredService<IAgentRunner>();

    private static string? Name(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<AgentNameMetadata>()?.Name;
}
