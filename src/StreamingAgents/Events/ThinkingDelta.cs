using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>More text for a thinking block.</summary>
public sealed record ThinkingDelta : ContentBlockDelta
{
    /// <summary>The wire type of this delta.</summary>
    public const string WireType = "thinking_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the thinking text to append.</summary>
    public required string Thinking { get; init; }
}
