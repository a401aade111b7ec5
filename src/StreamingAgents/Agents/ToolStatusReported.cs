namespace StreamingAgents.Agents;

/// <summary>A running tool reported what it is doing.</summary>
public sealed record ToolStatusReported : AgentEvent
{
    /// <summary>Gets the tool call's ID.</summary>
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the status text.</summary>
    public required string Status { get; init; }
}
