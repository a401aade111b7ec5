namespace StreamingAgents.Runs;

/// <summary>The bounds of <see cref="InMemoryAgentRunStore"/>.</summary>
public sealed class InMemoryAgentRunStoreOptions
{
    /// <summary>Gets or sets how many runs may be running at once. Defaults to 1,000.</summary>
    public int MaxLiveRuns { get; set; } = 1000;

    /// <summary>
    /// Gets or sets how many events a run's log holds; older ones are evicted (a reader that still needs them gets
    /// <see cref="AgentRunGapException"/>). Defaults to 10,000.
    /// </summary>
    public int MaxEventsPerRun { get; set; } = 10_000;

    /// <summary>Gets or sets how many bytes of event JSON a run's log holds; older events are evicted. Defaults to 8 MiB.</summary>
    public long MaxBytesPerRun { get; set; } = 8L * 1024 * 1024;

    /// <summary>Gets or sets how long a completed run stays readable (for late reconnects). Defaults to 5 minutes.</summary>
    public TimeSpan CompletedRunTimeToLive { get; set; } = TimeSpan.FromMinutes(5);

    internal void Validate()
    {
        if (!TryValidate(out string? problem))
        {
            throw new ArgumentOutOfRangeException(null, problem);
        }
    }

    internal bool TryValidate([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        problem = MaxLiveRuns < 1 ? $"InMemoryAgentRunStoreOptions.MaxLiveRuns must be at least 1; it is {MaxLiveRuns}."
            : MaxEventsPerRun < 1 ? $"InMemoryAgentRunStoreOptions.MaxEventsPerRun must be at least 1; it is {MaxEventsPerRun}."
            : MaxBytesPerRun < 1 ? $"InMemoryAgentRunStoreOptions.MaxBytesPerRun must be at least 1; it is {MaxBytesPerRun}."
            : CompletedRunTimeToLive < TimeSpan.Zero ? $"InMemoryAgentRunStoreOptions.CompletedRunTimeToLive must not be negative; it is {CompletedRunTimeToLive}."
            : null;
        return problem is null;
    }
}
