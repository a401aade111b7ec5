using Microsoft.AspNetCore.Routing;
using StreamingAgents.AspNetCore.Endpoints;
using StreamingAgents.AspNetCore.WebSockets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the agent endpoints.</summary>
public static class AgentEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>POST /runs</c> (start a detached run: <c>{"message": "..."}</c> → 201
    /// with <c>run_id</c> and <c>events_url</c>), <c>GET /runs/{runId}/events</c> (its events as
    /// <c>text/event-stream</c>, resuming after <c>Last-Event-ID</c> or <c>?last_event_id=</c>), <c>POST
    /// /runs/{runId}/cancel</c> (202), <c>POST /runs/{runId}/tool-calls/{toolCallId}/approve</c>, <c>.../deny</c>
    /// (<c>{"reason": "..."}</c>, optional) and <c>.../cancel</c> (answers to its tool calls: 202, or 409 when the call
    /// is not waiting for that answer), <c>POST /stream</c> (a run streamed as the response itself) and <c>GET /ws</c>
    /// (the same runs over a WebSocket; needs <c>app.UseWebSockets()</c>). Errors are <c>application/problem+json</c>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The path prefix, for example <c>/api</c>.</param>
    /// <returns>The group, so authorization, rate limiting and metadata compose: <c>.RequireAuthorization()</c>.</returns>
    /// <remarks>Register the services with <c>services.AddStreamingAgents(...).AddAgentEndpoints(...)</c>. Works under Native AOT.</remarks>
    public static RouteGroupBuilder MapAgentRuns(this IEndpointRouteBuilder endpoints, string prefix = "/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        return MapEndpoints(endpoints.MapGroup(prefix));
    }

    /// <summary>
    /// Maps the same endpoints for a named agent (<c>services.AddStreamingAgents(agentName, ...).AddDetachedRuns()</c>):
    /// its keyed runner and run manager serve them.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The path prefix, for example <c>/api/billing</c>.</param>
    /// <param name="agentName">The agent's name.</param>
    /// <returns>The group, so authorization, rate limiting and metadata compose.</returns>
    public static RouteGroupBuilder MapAgentRuns(this IEndpointRouteBuilder endpoints, string prefix, string agentName)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        group.WithMetadata(new AgentNameMetadata(agentName));
        return MapEndpoints(group);
    }

    private static RouteGroupBuilder MapEndpoints(RouteGroupBuilder group)
    {
        group.MapPost("/runs", AgentRunEndpoints.StartAsync);
        group.MapGet("/runs/{runId}/events", AgentRunEndpoints.EventsAsync);
        group.MapPost("/runs/{runId}/cancel", AgentRunEndpoints.CancelAsync);
        group.MapPost("/runs/{runId}/tool-calls/{toolCallId}/approve", ToolCallEndpoints.ApproveAsync);
        group.MapPost("/runs/{runId}/tool-calls/{toolCallId}/deny", ToolCallEndpoints.DenyAsync);
        group.MapPost("/runs/{runId}/tool-calls/{toolCallId}/cancel", ToolCallEndpoints.CancelAsync);
        group.MapPost("/stream", AgentRunEndpoints.StreamAsync);
        group.MapGet("/ws", AgentRunWebSocketSession.HandleAsync);
        return group;
    }
}
