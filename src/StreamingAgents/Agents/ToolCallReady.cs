using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>A tool call's input is complete (its <c>content_block_stop</c> arrived).</summary>
public sealed record ToolCallReady : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolCallReady;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets the input.</summary>
    [JsonPropertyName("input")]
    public JsonElement Input { get; init; }

    /// <summary>Gets whether the input is complete, cut off or invalid; only complete inputs are executed.</summary>
    [JsonPropertyName("input_status")]
    public ToolInputStatus InputStatus { get; init; }
}
