using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>More of a tool call's input arrived.</summary>
public sealed record ToolInputProgress : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolInputProgress;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the new JSON fragment.</summary>
    [JsonPropertyName("fragment")]
    public required string Fragment { get; init; }

    /// <summary>
    /// Gets the input received so far, closed into a value (see <see cref="Json.PartialJsonAccumulator"/>), or
    /// <see langword="null"/> once the input is larger than <see cref="AgentRunnerOptions.MaxInputSnapshotBytes"/>.
    /// </summary>
    [JsonPropertyName("snapshot")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Snapshot { get; init; }
}
