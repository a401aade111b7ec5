using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>The model's extended thinking, with the signature that lets it be sent back in a later turn.</summary>
public sealed record ThinkingBlock : ContentBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "thinking";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the thinking text.</summary>
    public string Thinking { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the signature that verifies the thinking when it is sent back.</summary>
    public string Signature { get => field ?? string.Empty; init; } = string.Empty;
}
