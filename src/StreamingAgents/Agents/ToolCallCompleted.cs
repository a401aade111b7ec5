namespace StreamingAgents.Agents;

/// <summary>A tool call finished; emitted as soon as that tool finishes, whatever the others do.</summary>
public sealed record ToolCallCompleted : AgentEvent
{
    /// <summary>Gets the tool call's ID.</summary>
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the result sent back to the model.</summary>
    public required string Result { get; init; }

    /// <summary>Gets whether the result is an error (unknown tool, invalid input, exception, timeout).</summary>
    public bool IsError { get; init; }

    /// <summary>Gets how long the tool ran.</summary>
    public TimeSpan Duration { get; init; }
}
