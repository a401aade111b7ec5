using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>The model's response for this turn is complete.</summary>
public sealed record TurnCompleted : AgentEvent
{
    /// <summary>Gets why the model stopped.</summary>
    public StopReason? StopReason { get; init; }

    /// <summary>Gets the turn's token usage.</summary>
    public required Usage Usage { get; init; }
}
