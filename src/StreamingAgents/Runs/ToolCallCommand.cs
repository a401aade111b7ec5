namespace StreamingAgents.Runs;

/// <summary>
/// A person's answer to a tool call of a detached run (approve, deny, cancel), on its way through the
/// <see cref="IAgentRunStore"/> to the instance running the agent.
/// </summary>
/// <param name="ToolCallId">The tool call's ID.</param>
/// <param name="Kind">What to do.</param>
/// <param name="Reason">Why, for a denial; <see langword="null"/> for none.</param>
public sealed record ToolCallCommand(string ToolCallId, ToolCallCommandKind Kind, string? Reason = null);

/// <summary>What a <see cref="ToolCallCommand"/> asks.</summary>
public enum ToolCallCommandKind
{
    /// <summary>Let a call that waits for approval run.</summary>
    Approve,

    /// <summary>Refuse a call that waits for approval.</summary>
    Deny,

    /// <summary>Cancel a call; the run goes on.</summary>
    Cancel,
}
