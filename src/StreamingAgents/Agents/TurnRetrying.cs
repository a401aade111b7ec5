namespace StreamingAgents.Agents;

/// <summary>
/// The turn's stream failed and the turn starts again: discard everything this turn produced so far (text, tool
/// calls). Tools started early for it were cancelled and their results dropped.
/// </summary>
public sealed record TurnRetrying : AgentEvent
{
    /// <summary>Gets the attempt about to start, from 2.</summary>
    public int NextAttempt { get; init; }

    /// <summary>Gets what failed.</summary>
    public required AgentError Error { get; init; }
}
