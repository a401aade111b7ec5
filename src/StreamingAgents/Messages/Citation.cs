using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// A citation attached to a text block: a location in a document or a web search result. Fields not named here
/// (document indexes, character ranges, encrypted indexes and later additions) are kept in
/// <see cref="AdditionalProperties"/> and round-trip unchanged.
/// </summary>
public sealed record Citation
{
    /// <summary>Gets the citation kind, for example <c>char_location</c> or <c>web_search_result_location</c>.</summary>
    [JsonPropertyOrder(-100)]
    public string Type { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the text being cited.</summary>
    public string? CitedText { get; init; }

    /// <summary>Gets the cited page's URL, for web search citations.</summary>
    public string? Url { get; init; }

    /// <summary>Gets the cited page's or document's title, when the API sends one.</summary>
    public string? Title { get; init; }

    /// <summary>Gets the fields this model does not name, kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
