using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Transport;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>How the agent endpoints (SSE, WebSocket, SignalR) turn requests into runs.</summary>
public sealed class AgentEndpointOptions
{
    /// <summary>Gets or sets the longest message accepted, in characters; longer ones get 400. Defaults to 16,000.</summary>
    public int MaxMessageLength { get; set; } = 16_000;

    /// <summary>Gets or sets the system prompt of the runs started here, if any.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>
    /// Gets or sets how a run's request is made from the user's message (the conversation so far, model, limits).
    /// Defaults to one user turn with <see cref="SystemPrompt"/>.
    /// </summary>
    public Func<HttpContext, string, MessageRequest>? CreateRequest { get; set; }

    /// <summary>
    /// Gets or sets the settings of a run started by a request (the tools this user may use, a token budget, a
    /// deadline); <see langword="null"/>, or a function returning it, for none.
    /// </summary>
    public Func<HttpContext, AgentRunOptions?>? CreateRunOptions { get; set; }

    /// <summary>
    /// Gets or sets who owns a run started by a request, and who asks to read or cancel one: runs of one owner are
    /// invisible to others. Defaults to the authenticated user's name identifier (or name), and no owner for anonymous
    /// requests.
    /// </summary>
    public Func<HttpContext, string?> GetOwner { get; set; } = DefaultOwner;

    /// <summary>Gets or sets the <c>Retry-After</c> sent with 429 when too many runs are live. Defaults to 5 s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the SSE settings (keep-alive, reconnection hint, text coalescing).</summary>
    public AgentEventSseOptions Sse { get; } = new();

    internal MessageRequest BuildRequest(HttpContext context, string message) =>
        CreateRequest?.Invoke(context, message)
            ?? new MessageRequest { System = SystemPrompt is null ? null : new SystemPrompt(SystemPrompt), Messages = [MessageParam.User(message)] };

    internal AgentRunOptions? BuildRunOptions(HttpContext context) => CreateRunOptions?.Invoke(context);

    private static string? DefaultOwner(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? context.User.Identity.Name
            : null;
}
