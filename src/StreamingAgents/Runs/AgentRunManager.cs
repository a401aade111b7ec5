using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamingAgents.Agents;
using StreamingAgents.Diagnostics;
using StreamingAgents.Messages;

namespace StreamingAgents.Runs;

/// <summary>
/// Runs agents detached from any consumer: a run keeps going when its browser disconnects, any number of subscribers
/// read it from any sequence (a reconnect resumes where it left off, nothing twice, nothing skipped), and only an
/// explicit cancel stops it. Events go through an <see cref="IAgentRunStore"/>, so a distributed store lets a
/// subscriber on another server follow a run.
/// </summary>
public sealed partial class AgentRunManager : IAsyncDisposable
{
    private readonly IAgentRunner _runner;
    private readonly IAgentRunStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<string, LiveRun> _running = new(StringComparer.Ordinal);

    /// <summary>Initializes a new manager.</summary>
    /// <param name="runner">The agent runner that executes runs.</param>
    /// <param name="store">Where the runs' events are kept.</param>
    /// <param name="timeProvider">The clock for run records; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">The logger.</param>
    public AgentRunManager(IAgentRunner runner, IAgentRunStore store, TimeProvider? timeProvider = null, ILogger<AgentRunManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(store);
        _runner = runner;
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger is null ? NullLogger<AgentRunManager>.Instance : new NonThrowingLogger(logger);
    }

    /// <summary>Starts a run in the background and returns at once.</summary>
    /// <param name="request">The conversation and request settings.</param>
    /// <param name="owner">Who may read and cancel the run (a user or tenant ID); <see langword="null"/> for anyone.</param>
    /// <param name="cancellationToken">Cancels starting it (not the run).</param>
    /// <returns>The run's handle.</returns>
    /// <exception cref="AgentRunLimitException">Too many runs are live.</exception>
    public Task<AgentRunHandle> StartAsync(MessageRequest request, string? owner = null, CancellationToken cancellationToken = default) =>
        StartAsync(request, runOptions: null, owner, cancellationToken);

    /// <summary>Starts a run with per-run settings (tools offered, token budget, deadline) in the background and returns at once.</summary>
    /// <param name="request">The conversation and request settings.</param>
    /// <param name="runOptions">The run's settings; <see langword="null"/> for none.</param>
    /// <param name="owner">Who may read and cancel the run (a user or tenant ID); <see langword="null"/> for anyone.</param>
    /// <param name="cancellationToken">Cancels starting it (not the run).</param>
    /// <returns>The run's handle.</returns>
    /// <exception cref="AgentRunLimitException">Too many runs are live.</exception>
    /// <exception cref="ArgumentException">The request or a setting is invalid.</exception>
    public async Task<AgentRunHandle> StartAsync(MessageRequest request, AgentRunOptions? runOptions, string? owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        IAsyncEnumerable<AgentEvent> events = _runner.RunAsync(request, runOptions, _shutdown.Token); // validates the request now
        var record = new AgentRunRecord(NewRunId(), owner, _time.GetUtcNow());
        await _store.CreateAsync(record, cancellationToken).ConfigureAwait(false);

        var live = new LiveRun();
        _running[record.RunId] = live;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await PumpAsync(record.RunId, events, live).ConfigureAwait(false);
                }
                finally
                {
                    _running.TryRemove(record.RunId, out _);
                    live.Ended.SetResult();
                }
            },
            CancellationToken.None);
        return new AgentRunHandle(this, record.RunId, owner, live.Ended.Task);
    }

    /// <summary>Approves a tool call that waits for approval (<see cref="ToolApprovalRequested"/>).</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="owner">The caller's owner key.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when the answer counts; <see langword="false"/> when the call is not waiting for one (unknown, already answered, timed out or ended).</returns>
    /// <exception cref="AgentRunNotFoundException">No such run for this owner.</exception>
    /// <exception cref="AgentRunElsewhereException">The run is live on another instance and the store cannot carry the answer there.</exception>
    public Task<bool> ApproveToolCallAsync(string runId, string toolCallId, string? owner = null, CancellationToken cancellationToken = default) =>
        AnswerToolCallAsync(runId, new ToolCallCommand(toolCallId, ToolCallCommandKind.Approve), owner, cancellationToken);

    /// <summary>Denies a tool call that waits for approval: it does not run, and the model is told the user declined it.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="owner">The caller's owner key.</param>
    /// <param name="reason">Why, for the model; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when the answer counts; <see langword="false"/> when the call is not waiting for one (unknown, already answered, timed out or ended).</returns>
    /// <exception cref="AgentRunNotFoundException">No such run for this owner.</exception>
    /// <exception cref="AgentRunElsewhereException">The run is live on another instance and the store cannot carry the answer there.</exception>
    public Task<bool> DenyToolCallAsync(string runId, string toolCallId, string? owner = null, string? reason = null, CancellationToken cancellationToken = default) =>
        AnswerToolCallAsync(runId, new ToolCallCommand(toolCallId, ToolCallCommandKind.Deny, reason), owner, cancellationToken);

    /// <summary>Cancels one tool call; the model gets an error result saying the user cancelled it, and the run goes on.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="toolCallId">The tool call's ID.</param>
    /// <param name="owner">The caller's owner key.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>
    /// <see langword="true"/> when the call is cancelled (a tool already running that finishes anyway keeps its result);
    /// <see langword="false"/> when it is unknown or had already finished.
    /// </returns>
    /// <exception cref="AgentRunNotFoundException">No such run for this owner.</exception>
    /// <exception cref="AgentRunElsewhereException">The run is live on another instance and the store cannot carry the answer there.</exception>
    public Task<bool> CancelToolCallAsync(string runId, string toolCallId, string? owner = null, CancellationToken cancellationToken = default) =>
        AnswerToolCallAsync(runId, new ToolCallCommand(toolCallId, ToolCallCommandKind.Cancel), owner, cancellationToken);

    /// <summary>
    /// Reads a run's events after <paramref name="afterSequence"/>: what the subscriber missed, then each as it
    /// happens, until the run ends. Leaving (breaking out, cancelling) never affects the run.
    /// </summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="afterSequence">The last sequence the subscriber has (0 for all; a reconnecting browser's <c>Last-Event-ID</c>).</param>
    /// <param name="owner">The caller's owner key.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The events in their wire form (<see cref="SerializedAgentEvent.ToAgentEvent"/> reads one back).</returns>
    /// <exception cref="AgentRunNotFoundException">No such run for this owner (thrown when enumeration starts).</exception>
    /// <exception cref="AgentRunGapException">Events the subscriber needs are no longer held.</exception>
    public IAsyncEnumerable<SerializedAgentEvent> SubscribeAsync(string runId, long afterSequence = 0, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        return SubscribeCoreAsync(runId, afterSequence, owner, cancellationToken);
    }

    /// <summary>Asks a run to stop; its subscribers then get <see cref="RunCompleted"/> with <see cref="AgentRunOutcome.Cancelled"/>.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="owner">The caller's owner key.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when the run was live and is now asked to stop; <see langword="false"/> when it had already ended.</returns>
    /// <exception cref="AgentRunNotFoundException">No such run for this owner.</exception>
    public async Task<bool> CancelAsync(string runId, string? owner = null, CancellationToken cancellationToken = default)
    {
        AgentRunRecord record = await GetRunAsync(runId, owner, cancellationToken).ConfigureAwait(false);
        if (record.IsCompleted)
        {
            return false;
        }

        await _store.RequestCancellationAsync(runId, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Cancels the runs this manager executes and waits for them to end.</summary>
    /// <returns>A task that completes when they have.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Values.Select(static live => live.Ended.Task)).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private async IAsyncEnumerable<SerializedAgentEvent> SubscribeCoreAsync(string runId, long afterSequence, string? owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await GetRunAsync(runId, owner, cancellationToken).ConfigureAwait(false);
        await foreach (SerializedAgentEvent agentEvent in _store.ReadAsync(runId, afterSequence, cancellationToken).ConfigureAwait(false))
        {
            yield return agentEvent;
        }
    }

    /// <summary>Finds a run the caller may see.</summary>
    /// <param name="runId">The run's ID.</param>
    /// <param name="owner">The caller's owner key.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The run's record.</returns>
    /// <exception cref="AgentRunNotFoundException">No such run for this owner.</exception>
    public async Task<AgentRunRecord> GetRunAsync(string runId, string? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        AgentRunRecord? record = await _store.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        return record is not null && record.IsVisibleTo(owner) ? record : throw new AgentRunNotFoundException(runId);
    }

    /// <summary>
    /// Applies an answer to a run executing here; for a run executing on another instance, sends it there through the
    /// store (then <see langword="true"/> means sent: it counts if the call still waits when it arrives).
    /// </summary>
    private async Task<bool> AnswerToolCallAsync(string runId, ToolCallCommand command, string? owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command.ToolCallId);
        AgentRunRecord record = await GetRunAsync(runId, owner, cancellationToken).ConfigureAwait(false);
        if (_running.TryGetValue(runId, out LiveRun? live))
        {
            return live.Apply(command);
        }

        return !record.IsCompleted && await _store.SendToolCallCommandAsync(runId, command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the answers other instances send through the store, until the run ends; never throws.</summary>
    private async Task ListenForAnswersAsync(string runId, LiveRun live, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (ToolCallCommand command in _store.ReadToolCallCommandsAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                live.Apply(command);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception failure)
        {
            // The store cannot carry answers any more: calls waiting for approval time out as unanswered.
            Log.AnswersLost(_logger, runId, failure);
        }
    }

    /// <summary>Runs the agent, storing each event; a cancel request (from any instance) stops it with a cancelled ending.</summary>
    private async Task PumpAsync(string runId, IAsyncEnumerable<AgentEvent> events, LiveRun live)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        Exception? storeFailure = null;
        Task cancelRequested = _store.WaitForCancellationAsync(runId, cancel.Token);
        _ = cancelRequested.ContinueWith(
            requested =>
            {
                if (requested.Exception is { } failure)
                {
                    // The store cannot tell this instance about cancels any more (it lost the run, or is unreachable):
                    // the run cannot be delivered either, so it stops.
                    storeFailure = failure.InnerException;
                    Log.RunFailed(_logger, runId, failure.InnerException!);
                    Stop(cancel);
                }
                else if (requested.IsCompletedSuccessfully)
                {
                    Stop(cancel);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        Task answers = ListenForAnswersAsync(runId, live, cancel.Token);
        var progress = new RunProgress();
        try
        {
            await foreach (AgentEvent agentEvent in events.WithCancellation(cancel.Token).ConfigureAwait(false))
            {
                if (agentEvent is ToolCallStarted && ToolCallControls.Find(agentEvent) is { } control)
                {
                    live.Calls[control.ToolCallId] = control; // a retried turn's call replaces the discarded one
                }

                SerializedAgentEvent serialized = progress.Observe(agentEvent);
                await _store.AppendAsync(runId, serialized, CancellationToken.None).ConfigureAwait(false);
                progress.Stored();
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await TryEndAsync(runId, progress, storeFailure is null ? AgentRunOutcome.Cancelled : AgentRunOutcome.Failed, storeFailure).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            // The store failed (or a defect): say so to the subscribers if the store still can.
            Log.RunFailed(_logger, runId, failure);
            await TryEndAsync(runId, progress, AgentRunOutcome.Failed, failure).ConfigureAwait(false);
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false); // stops waiting for a cancel request, and for answers
            await answers.ConfigureAwait(false);
            try
            {
                await _store.CompleteAsync(runId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception failure)
            {
                Log.RunFailed(_logger, runId, failure);
            }
        }
    }

    /// <summary>Cancels the run, unless it has already ended (and disposed its source).</summary>
    private static void Stop(CancellationTokenSource cancel)
    {
        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Stores the run's ending (unless it has one), if the store still can. An event whose append failed is appended
    /// again first: the failure may have come after the store took it, and the ending must follow it, not replace it.
    /// </summary>
    private async Task TryEndAsync(string runId, RunProgress progress, AgentRunOutcome outcome, Exception? failure)
    {
        if (progress.Pending is { } pending && await TryAppendAsync(runId, pending).ConfigureAwait(false))
        {
            progress.Stored();
        }

        AgentError? error = failure is null ? null : new AgentError { Type = AgentError.InternalType, Message = failure.Message };
        if (progress.Ending(outcome, error, _time) is { } ending)
        {
            await TryAppendAsync(runId, SerializedAgentEvent.From(ending)).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryAppendAsync(string runId, SerializedAgentEvent agentEvent)
    {
        try
        {
            await _store.AppendAsync(runId, agentEvent, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception failure)
        {
            Log.RunFailed(_logger, runId, failure);
            return false;
        }
    }

    /// <summary>"run_" and 128 random bits, URL-safe.</summary>
    private static string NewRunId()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        Span<byte> encoded = stackalloc byte[Base64Url.GetEncodedLength(random.Length)];
        Base64Url.EncodeToUtf8(random, encoded);
        return "run_" + System.Text.Encoding.ASCII.GetString(encoded);
    }

    /// <summary>A run executing here: when it ends, and its tool calls by ID, for approvals and cancels.</summary>
    private sealed class LiveRun
    {
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<string, IToolCallControl> Calls { get; } = new(StringComparer.Ordinal);

        /// <summary>Applies an answer to the call it names; false when there is no such call or it does not wait for that answer.</summary>
        public bool Apply(ToolCallCommand command) => Calls.TryGetValue(command.ToolCallId, out IToolCallControl? control) && command.Kind switch
        {
            ToolCallCommandKind.Approve => control.Approve(),
            ToolCallCommandKind.Deny => control.Deny(command.Reason),
            ToolCallCommandKind.Cancel => control.Cancel(),
            _ => false,
        };
    }

    /// <summary>What a run has shown and stored so far, to end it for its subscribers when it stops without a <see cref="RunCompleted"/>.</summary>
    private sealed class RunProgress
    {
        private long _stored;
        private int _turn;
        private Usage _usage = new();
        private bool _hasCompleted;
        private bool _pendingCompletes;

        /// <summary>Gets the event being appended, until the store has taken it.</summary>
        public SerializedAgentEvent? Pending { get; private set; }

        /// <summary>Notes an event about to be appended, and serializes it.</summary>
        public SerializedAgentEvent Observe(AgentEvent agentEvent)
        {
            _turn = agentEvent.Turn;
            if (agentEvent is TurnCompleted turn)
            {
                _usage += turn.Usage;
            }

            _pendingCompletes = agentEvent is RunCompleted;
            return Pending = SerializedAgentEvent.From(agentEvent);
        }

        /// <summary>Notes that the store took the pending event (the ending comes right after the last one taken).</summary>
        public void Stored()
        {
            _stored = Pending!.Sequence;
            _hasCompleted |= _pendingCompletes;
            Pending = null;
        }

        public RunCompleted? Ending(AgentRunOutcome outcome, AgentError? error, TimeProvider time) => _hasCompleted ? null : new RunCompleted
        {
            Outcome = outcome,
            Error = error,
            TotalUsage = _usage,
            TurnCount = _turn,
            Sequence = _stored + 1,
            Turn = _turn,
            Timestamp = time.GetUtcNow(),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Detached agent run {RunId} failed.")]
        public static partial void RunFailed(ILogger logger, string runId, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Detached agent run {RunId} no longer receives answers to its tool calls from other instances.")]
        public static partial void AnswersLost(ILogger logger, string runId, Exception exception);
    }
}
