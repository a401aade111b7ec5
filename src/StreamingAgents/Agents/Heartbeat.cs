namespace StreamingAgents.Agents;

/// <summary>A <c>ping</c> arrived: the model is still working although nothing new was written.</summary>
public sealed record Heartbeat : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.Heartbeat;
}
