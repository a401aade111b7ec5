using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>Why the model stopped generating. Values the API adds later round-trip unchanged.</summary>
/// <param name="Value">The wire value, for example <c>end_turn</c>.</param>
[JsonConverter(typeof(StopReasonJsonConverter))]
public readonly record struct StopReason(string Value)
{
    /// <summary>Gets the reason reported when the model reached a natural stopping point.</summary>
    public static StopReason EndTurn { get; } = new("end_turn");

    /// <summary>Gets the reason reported when the response hit <c>max_tokens</c>.</summary>
    public static StopReason MaxTokens { get; } = new("max_tokens");

    /// <summary>Gets the reason reported when the model emitted one of the custom stop sequences.</summary>
    public static StopReason StopSequence { get; } = new("stop_sequence");

    /// <summary>Gets the reason reported when the model requests one or more tool calls.</summary>
    public static StopReason ToolUse { get; } = new("tool_use");

    /// <summary>Gets the reason reported when a long-running turn was paused; send the response back to continue.</summary>
    public static StopReason PauseTurn { get; } = new("pause_turn");

    /// <summary>Gets the reason reported when the model declined to respond; <see cref="Message.StopDetails"/> says why.</summary>
    public static StopReason Refusal { get; } = new("refusal");

    /// <summary>
    /// Gets the reason reported when the response reached the model's context window: like <see cref="MaxTokens"/>,
    /// the response is cut off.
    /// </summary>
    public static StopReason ModelContextWindowExceeded { get; } = new("model_context_window_exceeded");

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
