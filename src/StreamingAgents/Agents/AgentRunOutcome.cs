using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>How an agent run ended. On the wire: a snake_case string (<c>"completed"</c>, <c>"max_tokens"</c>, …).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentRunOutcome>))]
public enum AgentRunOutcome
{
    /// <summary>The model finished (<c>end_turn</c> or <c>stop_sequence</c>; see the last turn's stop reason).</summary>
    [JsonStringEnumMemberName("completed")]
    Completed,

    /// <summary>
    /// The model hit <c>max_tokens</c>: the answer is cut off. A tool call cut off with it was not executed, and is left
    /// out of the conversation; raise the token limit or continue the conversation to get the rest (or set
    /// <see cref="AgentRunnerOptions.OnMaxTokens"/> to continue automatically).
    /// </summary>
    [JsonStringEnumMemberName("max_tokens")]
    MaxTokens,

    /// <summary>The run reached <see cref="AgentRunnerOptions.MaxTurns"/>; the conversation can be continued.</summary>
    [JsonStringEnumMemberName("max_turns")]
    MaxTurns,

    /// <summary>Tools failed <see cref="AgentRunnerOptions.MaxConsecutiveToolErrors"/> times in a row.</summary>
    [JsonStringEnumMemberName("tool_error_limit")]
    ToolErrorLimit,

    /// <summary>
    /// The model stream failed and retries were exhausted, the API answered with an error, or the stream could not be
    /// understood; <see cref="RunCompleted.Error"/> says what.
    /// </summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>
    /// The model declined (<c>stop_reason: refusal</c>); <see cref="Messages.Message.StopDetails"/> of
    /// <see cref="RunCompleted.FinalMessage"/> says why. The refused response is left out of
    /// <see cref="RunCompleted.Conversation"/>, whose last turn is the one that triggered the refusal: rephrase or
    /// remove it before continuing (Anthropic's docs: continuing unchanged keeps being refused).
    /// </summary>
    [JsonStringEnumMemberName("refused")]
    Refused,

    /// <summary>
    /// The response reached the model's context window (<c>stop_reason: model_context_window_exceeded</c>) and is cut
    /// off, like <see cref="MaxTokens"/>; shorten the conversation to continue.
    /// </summary>
    [JsonStringEnumMemberName("context_window_exceeded")]
    ContextWindowExceeded,

    /// <summary>
    /// The run was cancelled through its handle (a detached run). A run
    /// enumerated directly is cancelled with an <see cref="OperationCanceledException"/> instead.
    /// </summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,

    /// <summary>
    /// The run's tokens (input, cached input and output, over every turn) reached
    /// <see cref="AgentRunOptions.TokenBudget"/> before another model call; the conversation can be continued.
    /// </summary>
    [JsonStringEnumMemberName("token_budget_exceeded")]
    TokenBudgetExceeded,

    /// <summary>
    /// The run passed <see cref="AgentRunOptions.Deadline"/>: the model stream and running tools were stopped. The
    /// conversation ends at the last complete exchange (an answer cut off, or tool calls without results, are left out).
    /// </summary>
    [JsonStringEnumMemberName("deadline_exceeded")]
    DeadlineExceeded,
}
