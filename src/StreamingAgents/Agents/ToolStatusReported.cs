using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>A running tool reported what it is doing.</summary>
public sealed record ToolStatusReported : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolStatus;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets the status text.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }
}
