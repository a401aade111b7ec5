using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// The turn's stream failed and the turn starts again: discard everything this turn produced so far (text, tool
/// calls). Tools started early for it were cancelled and their results dropped.
/// </summary>
public sealed record TurnRetrying : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.TurnRetrying;

    /// <summary>Gets the attempt about to start, from 2.</summary>
    [JsonPropertyName("next_attempt")]
    public int NextAttempt { get; init; }

    /// <summary>Gets what failed.</summary>
    [JsonPropertyName("error")]
    public required AgentError Error { get; init; }
}
