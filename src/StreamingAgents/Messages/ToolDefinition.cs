using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// A tool offered to the model: a client tool (name, description, input schema) or a server tool the API runs,
/// identified by <see cref="Type"/> (for example <c>web_search_20250305</c>) with its own fields in
/// <see cref="AdditionalProperties"/>.
/// </summary>
public sealed record ToolDefinition
{
    /// <summary>Gets the server tool type, or <see langword="null"/> for a client tool.</summary>
    [JsonPropertyOrder(-100)]
    public string? Type { get; init; }

    /// <summary>Gets the tool name the model calls it by.</summary>
    public string Name { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets what the tool does and when to use it, for the model.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the JSON Schema of the tool's input (client tools).</summary>
    public JsonElement? InputSchema { get; init; }

    /// <summary>Gets other fields, sent as they are (server tool options, <c>cache_control</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
