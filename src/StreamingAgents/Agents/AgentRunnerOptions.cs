namespace StreamingAgents.Agents;

/// <summary>Limits and behaviour of <see cref="AgentRunner"/>.</summary>
public sealed class AgentRunnerOptions
{
    /// <summary>Gets or sets the most model responses in one run. Defaults to 10.</summary>
    public int MaxTurns { get; set; } = 10;

    /// <summary>Gets or sets how many tools may run at once. Defaults to 4.</summary>
    public int MaxConcurrentTools { get; set; } = 4;

    /// <summary>Gets or sets the time limit of a tool that sets none. Defaults to 2 minutes.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many tool results in a row may be errors before the run stops. Defaults to 3.</summary>
    public int MaxConsecutiveToolErrors { get; set; } = 3;

    /// <summary>
    /// Gets or sets how many times a turn whose stream fails midway (an <c>error</c> event such as
    /// <c>overloaded_error</c>, a dropped connection, a liveness timeout) starts again. Defaults to 2.
    /// </summary>
    public int MaxStreamRetries { get; set; } = 2;

    /// <summary>Gets or sets the delay before the first turn retry; later ones grow linearly. Defaults to 1 s.</summary>
    public TimeSpan StreamRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets what happens when a response stops at <c>max_tokens</c>. Defaults to <see cref="MaxTokensBehavior.EndRun"/>.</summary>
    public MaxTokensBehavior OnMaxTokens { get; set; } = MaxTokensBehavior.EndRun;

    /// <summary>Gets or sets how much of a tool's exception the model sees. Defaults to <see cref="ToolErrorDetail.Message"/>.</summary>
    public ToolErrorDetail ToolErrorDetail { get; set; } = ToolErrorDetail.Message;

    /// <summary>
    /// Gets or sets the input size up to which <see cref="ToolInputProgress"/> carries a snapshot of the input so far.
    /// Each snapshot costs time proportional to the input, so very large inputs stream fragments only. Defaults to 64 KiB.
    /// </summary>
    public int MaxInputSnapshotBytes { get; set; } = 64 * 1024;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTurns, nameof(MaxTurns));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentTools, nameof(MaxConcurrentTools));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConsecutiveToolErrors, nameof(MaxConsecutiveToolErrors));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStreamRetries, nameof(MaxStreamRetries));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxInputSnapshotBytes, nameof(MaxInputSnapshotBytes));
        if (ToolTimeout <= TimeSpan.Zero && ToolTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ToolTimeout), ToolTimeout, "ToolTimeout must be positive, or Timeout.InfiniteTimeSpan.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(StreamRetryDelay, TimeSpan.Zero, nameof(StreamRetryDelay));
    }
}
