using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// The model began a tool call: its name is known, its input is not yet. Emitted at <c>content_block_start</c>, the
/// earliest moment, so a status line ("🔍 Searching order database…") can appear at once.
/// </summary>
public sealed record ToolCallStarted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolCallStarted;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets the tool's status label for people, if it has one.</summary>
    [JsonPropertyName("status_label")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusLabel { get; init; }

    /// <summary>Gets the content block of the call.</summary>
    [JsonPropertyName("block_index")]
    public int BlockIndex { get; init; }
}
