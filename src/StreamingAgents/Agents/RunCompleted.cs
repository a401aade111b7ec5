using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>The last event of every run that is not cancelled: how it ended and the conversation to continue from.</summary>
public sealed record RunCompleted : AgentEvent
{
    /// <summary>Gets how the run ended.</summary>
    public AgentRunOutcome Outcome { get; init; }

    /// <summary>Gets the whole conversation, including the model's turns and tool results, ready to continue.</summary>
    public required IReadOnlyList<MessageParam> Conversation { get; init; }

    /// <summary>Gets the last message the model produced, if any.</summary>
    public Message? FinalMessage { get; init; }

    /// <summary>Gets the usage summed over every turn.</summary>
    public required Usage TotalUsage { get; init; }

    /// <summary>Gets how many turns ran.</summary>
    public int TurnCount { get; init; }

    /// <summary>Gets what failed, when <see cref="Outcome"/> is <see cref="AgentRunOutcome.Failed"/>.</summary>
    public AgentError? Error { get; init; }
}
