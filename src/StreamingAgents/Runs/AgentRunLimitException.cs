namespace StreamingAgents.Runs;

/// <summary>No new run can start: the store holds as many live runs as it may. Try again when some have finished.</summary>
public sealed class AgentRunLimitException : AgentRunException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="limit">The most live runs.</param>
    public AgentRunLimitException(int limit)
        : base($"No agent run can start now: {limit} are running, the most allowed.", runId: null)
    {
        Limit = limit;
    }

    /// <summary>Gets the most live runs.</summary>
    public int Limit { get; }
}
