using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.AspNetCore.Endpoints;
using StreamingAgents.Runs;

namespace StreamingAgents.AspNetCore.SignalR;

/// <summary>
/// A SignalR hub over the same detached runs: <c>StartRun</c> returns a run ID, <c>Subscribe</c> streams the run's
/// events (after a sequence, to resume after a reconnect) with the same JSON contract as SSE, <c>CancelRun</c> stops
/// it, and <c>ApproveToolCall</c>, <c>DenyToolCall</c> and <c>CancelToolCall</c> answer its tool calls. Map it with <c>app.MapHub&lt;AgentRunsHub&gt;("/hubs/agent")</c> after <c>services.AddSignalR()</c>.
/// </summary>
public sealed class AgentRunsHub : Hub
{
    private readonly AgentRunManager _runs;
    private readonly AgentEndpointOptions _options;

    /// <summary>Initializes the hub for one call.</summary>
    /// <param name="runs">The detached runs.</param>
    /// <param name="options">The endpoint options (message limit, request building, owner).</param>
    public AgentRunsHub(AgentRunManager runs, IOptions<AgentEndpointOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runs = runs;
        _options = options.Value;
    }

    /// <summary>Starts a run for the caller.</summary>
    /// <param name="message">The user's message.</param>
    /// <returns>The run's ID.</returns>
    /// <exception cref="HubException">The message is empty or too long, too many runs are live, or the run store is unavailable.</exception>
    public async Task<string> StartRun(string message)
    {
        if (AgentRunEndpoints.CheckMessage(message, _options) is { } problem)
        {
            throw new HubException(problem);
        }

        try
        {
            AgentRunHandle run = await _runs.StartAsync(_options.BuildRequest(Context.GetHttpContext()!, message), _options.BuildRunOptions(Context.GetHttpContext()!), Owner(), Context.ConnectionAborted).ConfigureAwait(false);
            return run.RunId;
        }
        catch (AgentRunException failure)
        {
            throw new HubException(failure.Message);
        }
    }

    /// <summary>Streams a run's events after <paramref name="afterSequence"/> until it ends.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="afterSequence">The last sequence the caller has (0 for all).</param>
    /// <param name="cancellationToken">Cancelled when the caller stops the stream.</param>
    /// <returns>The events, each serialized as the agent event's JSON.</returns>
    public async IAsyncEnumerable<SerializedAgentEvent> Subscribe(string runId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<SerializedAgentEvent> events = _runs.SubscribeAsync(runId, afterSequence, Owner(), cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            while (await NextAsync(events).ConfigureAwait(false))
            {
                yield return events.Current;
            }
        }
    }

    /// <summary>Asks a run to stop.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <returns>Whether the run was live.</returns>
    public async Task<bool> CancelRun(string runId)
    {
        try
        {
            return await _runs.CancelAsync(runId, Owner(), Context.ConnectionAborted).ConfigureAwait(false);
        }
        catch (AgentRunException failure)
        {
            throw new HubException(failure.Message);
        }
    }

    /// <summary>Approves a tool call that waits for approval.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <returns>Whether the answer counts (false: the call was not waiting for it).</returns>
    public Task<bool> ApproveToolCall(string runId, string toolCallId) =>
        AnswerAsync(() => _runs.ApproveToolCallAsync(runId, toolCallId, Owner(), Context.ConnectionAborted));

    /// <summary>Denies a tool call that waits for approval.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="reason">Why, for the model; null for none.</param>
    /// <returns>Whether the answer counts (false: the call was not waiting for it).</returns>
    public Task<bool> DenyToolCall(string runId, string toolCallId, string? reason) =>
        reason?.Length > _options.MaxMessageLength
            ? throw new HubException($"The reason is {reason.Length} characters long; the most is {_options.MaxMessageLength}.")
            : AnswerAsync(() => _runs.DenyToolCallAsync(runId, toolCallId, Owner(), reason, Context.ConnectionAborted));

    /// <summary>Cancels one tool call; the run goes on.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <returns>Whether the call was cancelled (false: unknown, or already finished).</returns>
    public Task<bool> CancelToolCall(string runId, string toolCallId) =>
        AnswerAsync(() => _runs.CancelToolCallAsync(runId, toolCallId, Owner(), Context.ConnectionAborted));

    private static async Task<bool> AnswerAsync(Func<Task<bool>> answer)
    {
        try
        {
            return await answer().ConfigureAwait(false);
        }
        catch (AgentRunException failure)
        {
            throw new HubException(failure.Message);
        }
    }

    /// <summary>The next event; run errors become <see cref="HubException"/>s, whose messages reach the caller.</summary>
    private static async Task<bool> NextAsync(IAsyncEnumerator<SerializedAgentEvent> events)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (AgentRunException failure)
        {
            throw new HubException(failure.Message);
        }
    }

    private string? Owner() => Context.GetHttpContext() is { } http ? _options.GetOwner(http) : null;
}
