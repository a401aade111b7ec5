using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>A call to a client tool: run it and send back a <c>tool_result</c> with the same ID.</summary>
public sealed record ToolUseBlock : ToolCallBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "tool_use";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;
}
