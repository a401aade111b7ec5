using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>Thinking the API encrypted; send it back unchanged to keep the model's reasoning.</summary>
public sealed record RedactedThinkingBlock : ContentBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "redacted_thinking";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the encrypted thinking.</summary>
    public string Data { get => field ?? string.Empty; init; } = string.Empty;
}
