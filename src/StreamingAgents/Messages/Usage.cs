using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Json;

namespace StreamingAgents.Messages;

/// <summary>
/// Token usage of a message. Fields the API sends that are not named here (for example <c>cache_creation</c> or
/// <c>service_tier</c>) are kept in <see cref="AdditionalProperties"/>.
/// </summary>
public sealed record Usage
{
    /// <summary>Gets the number of input tokens read (after the last cache breakpoint).</summary>
    [JsonPropertyName("input_tokens")]
    public int InputTokens { get; init; }

    /// <summary>Gets the number of tokens written to the prompt cache, if reported.</summary>
    [JsonPropertyName("cache_creation_input_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CacheCreationInputTokens { get; init; }

    /// <summary>Gets the number of tokens read from the prompt cache, if reported.</summary>
    [JsonPropertyName("cache_read_input_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CacheReadInputTokens { get; init; }

    /// <summary>Gets the number of output tokens generated.</summary>
    [JsonPropertyName("output_tokens")]
    public int OutputTokens { get; init; }

    /// <summary>Gets the server tool request counts, if reported.</summary>
    [JsonPropertyName("server_tool_use")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ServerToolUsage? ServerToolUse { get; init; }

    /// <summary>Gets the fields this model does not name, kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Adds two usages field by field, for totals across several messages.</summary>
    /// <param name="left">The first usage.</param>
    /// <param name="right">The second usage.</param>
    /// <returns>The sum; optional fields stay <see langword="null"/> only when both are.</returns>
    public static Usage operator +(Usage left, Usage right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new Usage
        {
            InputTokens = left.InputTokens + right.InputTokens,
            OutputTokens = left.OutputTokens + right.OutputTokens,
            CacheCreationInputTokens = AddOptional(left.CacheCreationInputTokens, right.CacheCreationInputTokens),
            CacheReadInputTokens = AddOptional(left.CacheReadInputTokens, right.CacheReadInputTokens),
            ServerToolUse = left.ServerToolUse is null && right.ServerToolUse is null ? null : new ServerToolUsage
            {
                WebSearchRequests = AddOptional(left.ServerToolUse?.WebSearchRequests, right.ServerToolUse?.WebSearchRequests),
                WebFetchRequests = AddOptional(left.ServerToolUse?.WebFetchRequests, right.ServerToolUse?.WebFetchRequests),
                AdditionalProperties = AddCounts(left.ServerToolUse?.AdditionalProperties, right.ServerToolUse?.AdditionalProperties),
            },
            AdditionalProperties = AddCounts(left.AdditionalProperties, right.AdditionalProperties),
        };
    }

    /// <summary>Adds two usages field by field.</summary>
    /// <param name="other">The usage to add.</param>
    /// <returns>The sum.</returns>
    public Usage Add(Usage other) => this + other;

    private static int? AddOptional(int? left, int? right) => left is null && right is null ? null : (left ?? 0) + (right ?? 0);

    /// <summary>
    /// Sums counters this library does not name yet (a new <c>server_tool_use</c> field, say) so totals keep them;
    /// a field that is not a whole number on both sides keeps the right-hand value.
    /// </summary>
    private static Dictionary<string, JsonElement>? AddCounts(Dictionary<string, JsonElement>? left, Dictionary<string, JsonElement>? right)
    {
        if (left is null || left.Count == 0 || right is null || right.Count == 0)
        {
            return left is { Count: > 0 } ? new(left) : right is { Count: > 0 } ? new(right) : null;
        }

        var sum = new Dictionary<string, JsonElement>(left);
        foreach ((string key, JsonElement value) in right)
        {
            sum[key] = sum.TryGetValue(key, out JsonElement earlier)
                && earlier.ValueKind == JsonValueKind.Number && earlier.TryGetInt64(out long a)
                && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long b)
                    ? JsonElements.FromInt64(a + b)
                    : value;
        }

        return sum;
    }
}
