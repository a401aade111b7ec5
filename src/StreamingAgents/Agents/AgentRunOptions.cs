namespace StreamingAgents.Agents;

/// <summary>
/// Settings of one run, beyond its request (which already sets the model, token limit and system prompt of that run,
/// overriding the agent's defaults): the tools it may use, a token budget and a deadline.
/// </summary>
public sealed record AgentRunOptions
{
    /// <summary>
    /// Gets the names of the agent's tools this run offers the model; <see langword="null"/> for all of them. A call to
    /// any other tool gets an error result, as for an unknown tool.
    /// </summary>
    public IReadOnlyCollection<string>? Tools { get; init; }

    /// <summary>
    /// Gets the most tokens the run may use over all its turns (input, cached input and output). It is checked before
    /// each model call after the first: a response under way is not cut off, and the run ends with
    /// <see cref="AgentRunOutcome.TokenBudgetExceeded"/> instead of calling the model again once the total reaches the
    /// budget. <see langword="null"/> for no budget.
    /// </summary>
    public long? TokenBudget { get; init; }

    /// <summary>
    /// Gets when the run must have ended, by the runner's clock. Then the model stream and every running tool are
    /// stopped and the run ends with <see cref="AgentRunOutcome.DeadlineExceeded"/>. <see langword="null"/> for none.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    internal void Validate()
    {
        if (TokenBudget is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TokenBudget), TokenBudget, $"AgentRunOptions.TokenBudget must be positive; it is {TokenBudget}.");
        }

        if (Tools is not null && Tools.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("AgentRunOptions.Tools contains a null or empty name.", nameof(Tools));
        }
    }
}
