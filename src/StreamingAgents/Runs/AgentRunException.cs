namespace StreamingAgents.Runs;

/// <summary>A detached run could not be started, found or read.</summary>
public abstract class AgentRunException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="runId">The run, if one is concerned.</param>
    protected AgentRunException(string message, string? runId)
        : base(message)
    {
        RunId = runId;
    }

    /// <summary>Initializes a new instance with the failure that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="runId">The run, if one is concerned.</param>
    /// <param name="innerException">The cause.</param>
    protected AgentRunException(string message, string? runId, Exception? innerException)
        : base(message, innerException)
    {
        RunId = runId;
    }

    /// <summary>Gets the run's ID, if one is concerned.</summary>
    public string? RunId { get; }
}
