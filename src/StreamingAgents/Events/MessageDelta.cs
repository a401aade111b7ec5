using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>Top-level message fields that change at the end of a message.</summary>
public sealed record MessageDelta
{
    /// <summary>Gets why the model stopped.</summary>
    public StopReason? StopReason { get; init; }

    /// <summary>Gets the stop sequence that ended generation, if one did.</summary>
    public string? StopSequence { get; init; }

    /// <summary>Gets the details of a refusal, sent with <c>stop_reason: refusal</c>.</summary>
    public StopDetails? StopDetails { get; init; }

    /// <summary>Gets other changed fields, applied to the message's additional properties.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
