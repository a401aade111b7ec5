using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>
/// A content block starts. For a tool call this is the earliest moment its name is known, before any input.
/// </summary>
public sealed record ContentBlockStartEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "content_block_start";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the block's index in the message content.</summary>
    public required int Index { get; init; }

    /// <summary>Gets the block as it starts (empty text, empty input).</summary>
    public required ContentBlock ContentBlock { get; init; }
}
