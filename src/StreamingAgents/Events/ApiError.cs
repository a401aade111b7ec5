using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>The error object of an <c>error</c> event or an HTTP error response.</summary>
public sealed record ApiError
{
    /// <summary>Gets the error type, for example <c>overloaded_error</c> or <c>rate_limit_error</c>.</summary>
    public string Type { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the API's description of the error.</summary>
    public string Message { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the fields this model does not name, kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
