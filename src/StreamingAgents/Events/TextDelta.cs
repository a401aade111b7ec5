using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>More text for a text block.</summary>
public sealed record TextDelta : ContentBlockDelta
{
    /// <summary>The wire type of this delta.</summary>
    public const string WireType = "text_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the text to append.</summary>
    public required string Text { get; init; }
}
