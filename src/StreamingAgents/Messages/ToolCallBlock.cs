using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Json;

namespace StreamingAgents.Messages;

/// <summary>
/// A block in which the model calls a tool: a client tool (<see cref="ToolUseBlock"/>) or a tool the API runs
/// itself (<see cref="ServerToolUseBlock"/>). Besides the wire fields it reports how its streamed input ended.
/// </summary>
public abstract record ToolCallBlock : ContentBlock
{
    /// <summary>Gets the tool call's ID, which the matching result refers to.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the tool being called.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Gets the tool input. When <see cref="InputStatus"/> is not <see cref="ToolInputStatus.Complete"/>, this is
    /// the best-effort value of the JSON that did arrive (never a silently empty object).
    /// </summary>
    public JsonElement Input { get => field.ValueKind == JsonValueKind.Undefined ? JsonElements.EmptyObject : field; init; } = JsonElements.EmptyObject;

    /// <summary>
    /// Gets the input JSON text exactly as streamed, or <see langword="null"/> when the block did not come from a
    /// stream. Not serialized: the API's shape has only <c>input</c>.
    /// </summary>
    [JsonIgnore]
    public string? InputJson { get; init; }

    /// <summary>Gets whether the streamed input was complete, cut off or invalid. Not serialized.</summary>
    [JsonIgnore]
    public ToolInputStatus InputStatus { get; init; }
}
