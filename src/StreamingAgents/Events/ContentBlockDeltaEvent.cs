using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>A piece of a content block: text, tool input JSON, thinking, a signature or a citation.</summary>
public sealed record ContentBlockDeltaEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "content_block_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the index of the block the delta applies to.</summary>
    public required int Index { get; init; }

    /// <summary>Gets the delta.</summary>
    public required ContentBlockDelta Delta { get; init; }
}
