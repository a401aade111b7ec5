using StreamingAgents.Agents;

namespace StreamingAgents.Runs;

/// <summary>
/// Where detached runs keep their events for subscribers: an append-only log per run, read from any sequence with a
/// wait for what comes next, completed and then expired, with a cancellation signal that reaches whichever instance
/// runs the agent. <see cref="InMemoryAgentRunStore"/> is the default; a distributed store lets runs outlive one server.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Every method naming a run throws <see cref="AgentRunNotFoundException"/> for a run
/// it does not have. A distributed store may also throw <see cref="AgentRunStoreException"/> (unreachable:
/// <see cref="AgentRunStoreUnavailableException"/>) from any method, and <see cref="AgentRunLostException"/> from a
/// read whose run vanished before it completed.
/// </remarks>
public interface IAgentRunStore
{
    /// <summary>Registers a new run with an empty log.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the run is registered.</returns>
    /// <exception cref="AgentRunLimitException">The store holds as many live runs as it may.</exception>
    ValueTask CreateAsync(AgentRunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Finds a run that exists and has not expired.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The run, or <see langword="null"/>.</returns>
    ValueTask<AgentRunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the run's next event (sequence numbers come in order, without gaps). Appending the last stored event
    /// again (same sequence, same JSON) does nothing, so an append whose outcome is unknown can be retried.
    /// </summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="agentEvent">The event.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the event is stored.</returns>
    ValueTask AppendAsync(string runId, SerializedAgentEvent agentEvent, CancellationToken cancellationToken = default);

    /// <summary>Marks the run complete: readers end after its last event, and it expires after the store's time to live.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the run is marked.</returns>
    ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the run's events after <paramref name="afterSequence"/>: those already stored, then each as it is
    /// appended, until the run completes. Each event exactly once, in order.
    /// </summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="afterSequence">The last sequence the reader has (0 for all).</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The events.</returns>
    /// <exception cref="AgentRunGapException">Events the reader needs were evicted to keep the log within its bounds.</exception>
    IAsyncEnumerable<SerializedAgentEvent> ReadAsync(string runId, long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>Asks whichever instance runs the agent to cancel it.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the request is recorded.</returns>
    ValueTask RequestCancellationAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Completes when cancellation of the run was requested (by any instance).</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when cancellation was requested.</returns>
    Task WaitForCancellationAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a person's answer to a tool call to whichever instance runs the agent (it reads them with
    /// <see cref="ReadToolCallCommandsAsync"/>). Whether it counts is decided there: the call may no longer wait.
    /// </summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="command">The answer.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when it was sent; <see langword="false"/> when the run had already completed.</returns>
    /// <exception cref="AgentRunNotFoundException">No such run.</exception>
    /// <exception cref="AgentRunElsewhereException">The store cannot carry commands (the default, for stores written before them).</exception>
    ValueTask<bool> SendToolCallCommandAsync(string runId, ToolCallCommand command, CancellationToken cancellationToken = default) =>
        throw new AgentRunElsewhereException(runId);

    /// <summary>The answers sent to a run's tool calls, as they arrive, until cancelled; read by the instance running it.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The commands; none by default (stores written before them).</returns>
    IAsyncEnumerable<ToolCallCommand> ReadToolCallCommandsAsync(string runId, CancellationToken cancellationToken = default) =>
        AsyncEnumerable.Empty<ToolCallCommand>();
}
