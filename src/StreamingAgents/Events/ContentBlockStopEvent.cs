using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>A content block is complete; for a tool call, its input JSON is now whole.</summary>
public sealed record ContentBlockStopEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "content_block_stop";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the index of the block that stopped.</summary>
    public required int Index { get; init; }
}
