using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>A request for the next model response was sent.</summary>
public sealed record TurnStarted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.TurnStarted;

    /// <summary>Gets the attempt, from 1; above 1 after <see cref="TurnRetrying"/>.</summary>
    [JsonPropertyName("attempt")]
    public int Attempt { get; init; }
}
