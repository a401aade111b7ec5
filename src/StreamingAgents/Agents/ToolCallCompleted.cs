using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>A tool call finished; emitted as soon as that tool finishes, whatever the others do.</summary>
/// <remarks>
/// On the wire, <c>result</c> is a preview of at most <see cref="AgentRunnerOptions.ToolResultPreviewLength"/>
/// characters (<c>result_truncated</c> says whether it was cut); the full result stays on the server, in
/// <see cref="Result"/> and in the conversation.
/// </remarks>
public sealed record ToolCallCompleted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolCallCompleted;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets the whole result sent back to the model (after deserialization: the preview). Not serialized.</summary>
    [JsonIgnore]
    public string Result { get => field ?? ResultPreview; init; }

    /// <summary>Gets the start of the result, for people: the whole of it unless <see cref="IsResultTruncated"/>.</summary>
    [JsonPropertyName("result")]
    public string ResultPreview { get => field ?? Result ?? string.Empty; init; }

    /// <summary>Gets whether <see cref="ResultPreview"/> is shorter than the result.</summary>
    [JsonPropertyName("result_truncated")]
    public bool IsResultTruncated { get; init; }

    /// <summary>Gets whether the result is an error (unknown tool, invalid input, exception, timeout).</summary>
    [JsonPropertyName("is_error")]
    public bool IsError { get; init; }

    /// <summary>Gets how long the tool ran.</summary>
    [JsonIgnore]
    public TimeSpan Duration { get; init; }

    /// <summary>Gets how long the tool ran, in milliseconds (the wire form of <see cref="Duration"/>).</summary>
    [JsonPropertyName("duration_ms")]
    public double DurationMs
    {
        get => Duration.TotalMilliseconds;
        init => Duration = TimeSpan.FromMilliseconds(value);
    }
}
