using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>Counts of server tool requests made while producing a message.</summary>
public sealed record ServerToolUsage
{
    /// <summary>Gets the number of web search requests.</summary>
    [JsonPropertyName("web_search_requests")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WebSearchRequests { get; init; }

    /// <summary>Gets the number of web fetch requests.</summary>
    [JsonPropertyName("web_fetch_requests")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WebFetchRequests { get; init; }

    /// <summary>Gets the fields this model does not name, kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
