using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// Why a response stopped, in detail: sent with <c>stop_reason: refusal</c>, when the API's classifier declined the
/// request. <see cref="Explanation"/> is written for people; show it rather than parse it.
/// </summary>
public sealed record StopDetails
{
    /// <summary>Gets the kind of details, <c>refusal</c> for a refusal.</summary>
    [JsonPropertyOrder(-100)]
    [JsonPropertyName("type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    /// <summary>
    /// Gets the policy area of a refusal (for example <c>cyber</c> or <c>bio</c>), or <see langword="null"/> when it
    /// maps to no named category. The list grows over time.
    /// </summary>
    [JsonPropertyName("category")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Category { get; init; }

    /// <summary>Gets a readable explanation to show the user, or <see langword="null"/>.</summary>
    [JsonPropertyName("explanation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Explanation { get; init; }

    /// <summary>Gets the fields this model does not name, kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
