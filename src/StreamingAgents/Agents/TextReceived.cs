using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>More of the model's answer: show it right away.</summary>
public sealed record TextReceived : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.Text;

    /// <summary>Gets the new text.</summary>
    [JsonPropertyName("text")]
    public required string Text { get; init; }

    /// <summary>Gets the content block it belongs to.</summary>
    [JsonPropertyName("block_index")]
    public int BlockIndex { get; init; }
}
