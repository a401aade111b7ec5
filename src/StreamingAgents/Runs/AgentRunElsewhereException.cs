namespace StreamingAgents.Runs;

/// <summary>
/// A tool call of a live run was answered (approved, denied, cancelled) on an instance that is not running it. With a
/// shared store the run's events can be read anywhere, but its tool calls live in the process that runs it: route
/// these requests to that instance (by run ID), or answer from a subscriber connected there.
/// </summary>
public sealed class AgentRunElsewhereException : AgentRunException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="runId">The run.</param>
    public AgentRunElsewhereException(string runId)
        : base($"Agent run '{runId}' is running on another instance; its tool calls can be answered only there.", runId)
    {
    }
}
