namespace StreamingAgents.Runs;

/// <summary>
/// There is no such run for this caller: it never existed, it expired, or it belongs to another owner (which is not
/// told apart, so the answer reveals nothing about other people's runs).
/// </summary>
public sealed class AgentRunNotFoundException : AgentRunException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="runId">The run asked for.</param>
    public AgentRunNotFoundException(string runId)
        : base($"There is no agent run '{runId}' (it may have expired).", runId)
    {
    }
}
