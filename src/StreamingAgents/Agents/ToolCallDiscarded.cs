using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// A tool call announced by <see cref="ToolCallStarted"/> will not complete: its turn is being retried, or the message
/// ended without asking for tools (for example at <c>max_tokens</c>), so a tool started early was cancelled and its
/// result dropped. A UI clears the call's status line. Every <see cref="ToolCallStarted"/> is followed by exactly one
/// <see cref="ToolCallCompleted"/> or <see cref="ToolCallDiscarded"/>, unless the run is cancelled.
/// </summary>
public sealed record ToolCallDiscarded : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolCallDiscarded;

    /// <summary>The turn's stream failed and the turn starts again.</summary>
    public const string TurnRetryingReason = "turn_retrying";

    /// <summary>The message ended without <c>stop_reason: tool_use</c>.</summary>
    public const string NotRequestedReason = "not_requested";

    /// <summary>The run failed.</summary>
    public const string RunFailedReason = "run_failed";

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets why: <see cref="TurnRetryingReason"/>, <see cref="NotRequestedReason"/> or <see cref="RunFailedReason"/>.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    /// <summary>Gets whether the tool had started running (it was then cancelled).</summary>
    [JsonPropertyName("was_executing")]
    public bool WasExecuting { get; init; }
}
