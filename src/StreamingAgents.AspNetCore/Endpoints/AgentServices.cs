using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.Agents;
using StreamingAgents.Runs;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>Marks the endpoints of a named agent (<c>MapAgentRuns(prefix, agentName)</c>).</summary>
internal sealed record AgentNameMetadata(string Name);

/// <summary>The runner and run manager an endpoint serves: its named agent's (keyed), or the default agent's.</summary>
internal static class AgentServices
{
    public static AgentRunManager Runs(HttpContext context) => Name(context) is { } name
        ? context.RequestServices.GetRequiredKeyedService<AgentRunManager>(name)
        : context.RequestServices.GetRequiredService<AgentRunManager>();

    public static IAgentRunner Runner(HttpContext context) => Name(context) is { } name
        ? context.RequestServices.GetRequiredKeyedService<IAgentRunner>(name)
        : context.RequestServices.GetRequiredService<IAgentRunner>();

    private static string? Name(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<AgentNameMetadata>()?.Name;
}
