using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>The model's response for this turn is complete.</summary>
public sealed record TurnCompleted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.TurnCompleted;

    /// <summary>Gets why the model stopped.</summary>
    [JsonPropertyName("stop_reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StopReason? StopReason { get; init; }

    /// <summary>Gets the turn's token usage.</summary>
    [JsonPropertyName("usage")]
    public required Usage Usage { get; init; }
}
