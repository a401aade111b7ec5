namespace StreamingAgents.Runs;

/// <summary>
/// A detached run just started: its ID for subscribers, a task that completes when it has ended, and the answers to
/// its tool calls (approve, deny, cancel one).
/// </summary>
public sealed class AgentRunHandle
{
    private readonly AgentRunManager _manager;

    internal AgentRunHandle(AgentRunManager manager, string runId, string? owner, Task completion)
    {
        _manager = manager;
        RunId = runId;
        Owner = owner;
        Completion = completion;
    }

    /// <summary>Gets the run's ID: unguessable, for the URL a browser subscribes to.</summary>
    public string RunId { get; }

    /// <summary>Gets the owner the run was started for, if any.</summary>
    public string? Owner { get; }

    /// <summary>Gets a task that completes (never faults) when the run has ended and its last event is stored.</summary>
    public Task Completion { get; }

    /// <summary>Approves a tool call that waits for approval (see <see cref="AgentRunManager.ApproveToolCallAsync"/>).</summary>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when the answer counts; <see langword="false"/> when the call is not waiting for one.</returns>
    public Task<bool> ApproveToolCallAsync(string toolCallId, CancellationToken cancellationToken = default) =>
        _manager.ApproveToolCallAsync(RunId, toolCallId, Owner, cancellationToken);

    /// <summary>Denies a tool call that waits for approval (see <see cref="AgentRunManager.DenyToolCallAsync"/>).</summary>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="reason">Why, for the model; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when the answer counts; <see langword="false"/> when the call is not waiting for one.</returns>
    public Task<bool> DenyToolCallAsync(string toolCallId, string? reason = null, CancellationToken cancellationToken = default) =>
        _manager.DenyToolCallAsync(RunId, toolCallId, Owner, reason, cancellationToken);

    /// <summary>Cancels one tool call; the run goes on (see <see cref="AgentRunManager.CancelToolCallAsync"/>).</summary>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when the call is cancelled; <see langword="false"/> when it is unknown or had already finished.</returns>
    public Task<bool> CancelToolCallAsync(string toolCallId, CancellationToken cancellationToken = default) =>
        _manager.CancelToolCallAsync(RunId, toolCallId, Owner, cancellationToken);
}
