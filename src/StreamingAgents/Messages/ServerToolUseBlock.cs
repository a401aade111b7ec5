using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>A call to a tool the API runs itself, such as web search; its result arrives as another block.</summary>
public sealed record ServerToolUseBlock : ToolCallBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "server_tool_use";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;
}
