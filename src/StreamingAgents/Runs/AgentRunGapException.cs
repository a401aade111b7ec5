namespace StreamingAgents.Runs;

/// <summary>
/// A reader asked for events the run's log no longer holds: they were evicted to keep it within its bounds (the
/// reader fell too far behind, or resumed too late). Nothing after them is delivered as if nothing were missing.
/// </summary>
public sealed class AgentRunGapException : AgentRunException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="requestedSequence">The first sequence the reader needed.</param>
    /// <param name="oldestAvailable">The oldest sequence still held.</param>
    public AgentRunGapException(string runId, long requestedSequence, long oldestAvailable)
        : base($"Events {requestedSequence} to {oldestAvailable - 1} of agent run '{runId}' are no longer held; the oldest available is {oldestAvailable}.", runId)
    {
        RequestedSequence = requestedSequence;
        OldestAvailable = oldestAvailable;
    }

    /// <summary>Gets the first sequence the reader needed.</summary>
    public long RequestedSequence { get; }

    /// <summary>Gets the oldest sequence still held.</summary>
    public long OldestAvailable { get; }
}
