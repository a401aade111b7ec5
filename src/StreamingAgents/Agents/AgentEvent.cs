using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// Something that happened in an agent run, as the user would see it. Events are plain records: they serialize to
/// JSON (through <see cref="Json.AnthropicJsonContext"/>) with a <c>type</c> discriminator, so they can be forwarded
/// to a browser as they are.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TurnStarted), "turn_started")]
[JsonDerivedType(typeof(TextReceived), "text")]
[JsonDerivedType(typeof(ThinkingReceived), "thinking")]
[JsonDerivedType(typeof(ToolCallStarted), "tool_call_started")]
[JsonDerivedType(typeof(ToolInputProgress), "tool_input_progress")]
[JsonDerivedType(typeof(ToolCallReady), "tool_call_ready")]
[JsonDerivedType(typeof(ToolExecutionStarted), "tool_execution_started")]
[JsonDerivedType(typeof(ToolStatusReported), "tool_status")]
[JsonDerivedType(typeof(ToolCallCompleted), "tool_call_completed")]
[JsonDerivedType(typeof(ToolCallDiscarded), "tool_call_discarded")]
[JsonDerivedType(typeof(TurnCompleted), "turn_completed")]
[JsonDerivedType(typeof(TurnRetrying), "turn_retrying")]
[JsonDerivedType(typeof(Heartbeat), "heartbeat")]
[JsonDerivedType(typeof(RunCompleted), "run_completed")]
public abstract record AgentEvent
{
    /// <summary>Gets the event's position in its run, from 1, with no gaps.</summary>
    [JsonInclude]
    public long Sequence { get; internal set; }

    /// <summary>Gets when the event happened, by the runner's clock.</summary>
    [JsonInclude]
    public DateTimeOffset Timestamp { get; internal set; }

    /// <summary>Gets the turn (model response) the event belongs to, from 1.</summary>
    [JsonInclude]
    public int Turn { get; internal set; }
}
