using System.Text.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>A tool call's input is complete (its <c>content_block_stop</c> arrived).</summary>
public sealed record ToolCallReady : AgentEvent
{
    /// <summary>Gets the tool call's ID.</summary>
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the input.</summary>
    public JsonElement Input { get; init; }

    /// <summary>Gets whether the input is complete, cut off or invalid; only complete inputs are executed.</summary>
    public ToolInputStatus InputStatus { get; init; }
}
