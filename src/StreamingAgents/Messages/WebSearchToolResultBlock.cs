using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Json;

namespace StreamingAgents.Messages;

/// <summary>The result of a web search the API ran: a list of results, or an error object.</summary>
public sealed record WebSearchToolResultBlock : ContentBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "web_search_tool_result";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the ID of the <see cref="ServerToolUseBlock"/> this result answers.</summary>
    public string ToolUseId { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the results (an array of <c>web_search_result</c> objects) or an error object, as sent.</summary>
    public JsonElement Content { get => field.ValueKind == JsonValueKind.Undefined ? JsonElements.EmptyArray : field; init; } = JsonElements.EmptyArray;
}
