namespace StreamingAgents.Agents;

/// <summary>
/// The wire names of the agent events: the <c>type</c> of their JSON and the <c>event:</c> name of their SSE frames.
/// Stable: a browser branches on them. <see cref="AgentEvent.EventType"/> gives an event's own.
/// </summary>
public static class AgentEventTypes
{
    /// <summary>The type of <see cref="TurnStarted"/>.</summary>
    public const string TurnStarted = "turn_started";

    /// <summary>The type of <see cref="TextReceived"/>.</summary>
    public const string Text = "text";

    /// <summary>The type of <see cref="ThinkingReceived"/>.</summary>
    public const string Thinking = "thinking";

    /// <summary>The type of <see cref="ToolCallStarted"/>.</summary>
    public const string ToolCallStarted = "tool_call_started";

    /// <summary>The type of <see cref="ToolInputProgress"/>.</summary>
    public const string ToolInputProgress = "tool_input_progress";

    /// <summary>The type of <see cref="ToolCallReady"/>.</summary>
    public const string ToolCallReady = "tool_call_ready";

    /// <summary>The type of <see cref="ToolApprovalRequested"/>.</summary>
    public const string ToolApprovalRequested = "tool_approval_requested";

    /// <summary>The type of <see cref="ToolExecutionStarted"/>.</summary>
    public const string ToolExecutionStarted = "tool_execution_started";

    /// <summary>The type of <see cref="ToolStatusReported"/>.</summary>
    public const string ToolStatus = "tool_status";

    /// <summary>The type of <see cref="ToolCallCompleted"/>.</summary>
    public const string ToolCallCompleted = "tool_call_completed";

    /// <summary>The type of <see cref="ToolCallDiscarded"/>.</summary>
    public const string ToolCallDiscarded = "tool_call_discarded";

    /// <summary>The type of <see cref="TurnCompleted"/>.</summary>
    public const string TurnCompleted = "turn_completed";

    /// <summary>The type of <see cref="TurnRetrying"/>.</summary>
    public const string TurnRetrying = "turn_retrying";

    /// <summary>The type of <see cref="Heartbeat"/>.</summary>
    public const string Heartbeat = "heartbeat";

    /// <summary>The type of <see cref="RunCompleted"/>.</summary>
    public const string RunCompleted = "run_completed";
}
