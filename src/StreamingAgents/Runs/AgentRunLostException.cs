namespace StreamingAgents.Runs;

/// <summary>
/// A run vanished from the store before it completed: the store restarted without its data, or the instance running
/// the agent stopped and the run's lease expired. A subscriber gets this instead of waiting for events that will never
/// come.
/// </summary>
public sealed class AgentRunLostException : AgentRunException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="runId">The run.</param>
    public AgentRunLostException(string runId)
        : base($"Agent run '{runId}' is no longer in the store although it had not completed: the store lost its data, or the instance running it stopped.", runId)
    {
    }
}
