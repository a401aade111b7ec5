using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>More of the model's extended thinking.</summary>
public sealed record ThinkingReceived : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.Thinking;

    /// <summary>Gets the new thinking text.</summary>
    [JsonPropertyName("thinking")]
    public required string Thinking { get; init; }

    /// <summary>Gets the content block it belongs to.</summary>
    [JsonPropertyName("block_index")]
    public int BlockIndex { get; init; }
}
