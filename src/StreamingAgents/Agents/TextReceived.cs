namespace StreamingAgents.Agents;

/// <summary>More of the model's answer: show it right away.</summary>
public sealed record TextReceived : AgentEvent
{
    /// <summary>Gets the new text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the content block it belongs to.</summary>
    public int BlockIndex { get; init; }
}
