namespace StreamingAgents.Runs;

/// <summary>
/// The run store failed an operation: it refused it (a distributed store out of memory, or misconfigured), or it
/// holds data it did not write. <see cref="AgentRunStoreUnavailableException"/> is the case where it could not be
/// reached in time.
/// </summary>
public class AgentRunStoreException : AgentRunException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong (without server names or credentials).</param>
    /// <param name="runId">The run concerned, if any.</param>
    /// <param name="innerException">The store's failure.</param>
    public AgentRunStoreException(string message, string? runId, Exception? innerException)
        : base(message, runId, innerException)
    {
    }
}
