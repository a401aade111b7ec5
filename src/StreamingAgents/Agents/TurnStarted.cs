namespace StreamingAgents.Agents;

/// <summary>A request for the next model response was sent.</summary>
public sealed record TurnStarted : AgentEvent
{
    /// <summary>Gets the attempt, from 1; above 1 after <see cref="TurnRetrying"/>.</summary>
    public int Attempt { get; init; }
}
