using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>The result of a client tool call, sent back to the model in a user turn.</summary>
public sealed record ToolResultBlock : ContentBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "tool_result";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the ID of the <see cref="ToolUseBlock"/> this result answers.</summary>
    public string ToolUseId { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the result: text and image blocks.</summary>
    public IReadOnlyList<ContentBlock> Content { get => field ?? []; init; } = [];

    /// <summary>Gets whether the tool failed; the content then tells the model what went wrong.</summary>
    public bool? IsError { get; init; }
}
