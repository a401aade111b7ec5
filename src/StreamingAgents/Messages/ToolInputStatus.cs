using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>How much of a tool call's input JSON arrived, and whether it parsed. On the wire: <c>"complete"</c>, <c>"incomplete"</c> or <c>"invalid"</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ToolInputStatus>))]
public enum ToolInputStatus
{
    /// <summary>The input is a whole, valid JSON value.</summary>
    [JsonStringEnumMemberName("complete")]
    Complete,

    /// <summary>
    /// The input is a valid prefix of JSON that never finished: still streaming, or cut off (for example by
    /// <c>stop_reason: max_tokens</c>). The block's input holds the best-effort value of that prefix.
    /// </summary>
    [JsonStringEnumMemberName("incomplete")]
    Incomplete,

    /// <summary>
    /// The input is not valid JSON (fine-grained tool streaming can produce this). The block's input holds the
    /// best-effort value of the valid part before the error.
    /// </summary>
    [JsonStringEnumMemberName("invalid")]
    Invalid,
}
