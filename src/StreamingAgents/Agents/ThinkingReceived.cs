namespace StreamingAgents.Agents;

/// <summary>More of the model's extended thinking.</summary>
public sealed record ThinkingReceived : AgentEvent
{
    /// <summary>Gets the new thinking text.</summary>
    public required string Thinking { get; init; }

    /// <summary>Gets the content block it belongs to.</summary>
    public int BlockIndex { get; init; }
}
