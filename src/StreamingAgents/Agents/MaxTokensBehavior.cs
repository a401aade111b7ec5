namespace StreamingAgents.Agents;

/// <summary>What the runner does when a response stops at <c>max_tokens</c>.</summary>
public enum MaxTokensBehavior
{
    /// <summary>End the run with <see cref="AgentRunOutcome.MaxTokens"/> (the default).</summary>
    EndRun,

    /// <summary>
    /// Send the cut-off response back as the last (assistant) turn so the model continues where it stopped, as
    /// Anthropic's docs describe; counts against <see cref="AgentRunnerOptions.MaxTurns"/>. A tool call cut off with it
    /// is left out and never executed.
    /// </summary>
    Continue,
}
