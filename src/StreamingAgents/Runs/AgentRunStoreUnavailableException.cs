using System.Globalization;

namespace StreamingAgents.Runs;

/// <summary>
/// The run store could not be reached in time (a distributed store's server is down, restarting or too slow). The run
/// itself is not known to be lost: trying again later may succeed.
/// </summary>
public sealed class AgentRunStoreUnavailableException : AgentRunStoreException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="runId">The run concerned, if any.</param>
    /// <param name="waited">How long the store was tried before giving up.</param>
    /// <param name="innerException">The store's last failure (only its type is in the message: a store's messages may name servers).</param>
    public AgentRunStoreUnavailableException(string? runId, TimeSpan waited, Exception innerException)
        : base(
            string.Create(CultureInfo.InvariantCulture, $"The agent run store did not answer within {waited.TotalSeconds:0.#} s{(runId is null ? "" : $" for run '{runId}'")}; its last failure was a {innerException?.GetType().Name}."),
            runId,
            innerException)
    {
    }
}
