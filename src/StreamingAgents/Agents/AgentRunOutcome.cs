using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>How an agent run ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentRunOutcome>))]
public enum AgentRunOutcome
{
    /// <summary>The model finished (<c>end_turn</c>, <c>stop_sequence</c>, or <c>refusal</c>; see the last turn's stop reason).</summary>
    Completed,

    /// <summary>
    /// The model hit <c>max_tokens</c>: the answer is cut off. A tool call cut off with it was not executed, and is left
    /// out of the conversation; raise the token limit or continue the conversation to get the rest (or set
    /// <see cref="AgentRunnerOptions.OnMaxTokens"/> to continue automatically).
    /// </summary>
    MaxTokens,

    /// <summary>The run reached <see cref="AgentRunnerOptions.MaxTurns"/>; the conversation can be continued.</summary>
    MaxTurns,

    /// <summary>Tools failed <see cref="AgentRunnerOptions.MaxConsecutiveToolErrors"/> times in a row.</summary>
    ToolErrorLimit,

    /// <summary>The model stream failed and retries were exhausted, or the API refused the request.</summary>
    Failed,
}
