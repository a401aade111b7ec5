using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>The last event of every run that is not cancelled: how it ended and the conversation to continue from.</summary>
/// <remarks>
/// On the wire it is lean, for browsers: the outcome, the total usage, the turn count, the error, the final text and
/// a refusal's details. <see cref="Conversation"/> and <see cref="FinalMessage"/> (with the system prompt and every
/// tool result) stay on the server.
/// </remarks>
public sealed record RunCompleted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.RunCompleted;

    /// <summary>Gets how the run ended.</summary>
    [JsonPropertyName("outcome")]
    public AgentRunOutcome Outcome { get; init; }

    /// <summary>Gets the whole conversation, including the model's turns and tool results, ready to continue. Not serialized.</summary>
    [JsonIgnore]
    public IReadOnlyList<MessageParam> Conversation { get; init; } = [];

    /// <summary>Gets the last message the model produced, if any. Not serialized.</summary>
    [JsonIgnore]
    public Message? FinalMessage { get; init; }

    /// <summary>Gets the text of <see cref="FinalMessage"/>, if there is one.</summary>
    [JsonPropertyName("final_text")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FinalText { get; init; }

    /// <summary>Gets the usage summed over every turn, attempts that failed mid-stream and were retried included.</summary>
    [JsonPropertyName("usage")]
    public required Usage TotalUsage { get; init; }

    /// <summary>Gets how many turns ran.</summary>
    [JsonPropertyName("turn_count")]
    public int TurnCount { get; init; }

    /// <summary>Gets what failed, when <see cref="Outcome"/> is <see cref="AgentRunOutcome.Failed"/> or <see cref="AgentRunOutcome.ToolErrorLimit"/>.</summary>
    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AgentError? Error { get; init; }

    /// <summary>Gets why the model declined, when <see cref="Outcome"/> is <see cref="AgentRunOutcome.Refused"/>.</summary>
    [JsonPropertyName("stop_details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StopDetails? StopDetails { get; init; }
}
