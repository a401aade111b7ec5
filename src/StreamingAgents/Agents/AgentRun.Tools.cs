using StreamingAgents.Diagnostics;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Agents;

internal sealed partial class AgentRun
{
    private readonly SemaphoreSlim _toolSlots;
    private readonly SemaphoreSlim _aloneGate = new(1, 1);
    private int _consecutiveToolErrors;

    /// <summary>
    /// Runs one tool call to its result, turning every failure into an error result for the model. Throws only
    /// <see cref="OperationCanceledException"/>, when the call was discarded or the run cancelled.
    /// </summary>
    private async Task<ToolResultBlock> ExecuteToolAsync(ToolCall call, bool isEager, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        ToolResult result;
        using (var callCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.UserCancellation))
        {
            try
            {
                result = await RunToolAsync(call, isEager, callCancellation.Token).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // A tool may answer cancellation with any exception (an IOException from a socket, say): it is a cancellation.
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception) when (call.IsCancelledByUser)
            {
                result = call.CancelledResult();
                call.IsPersonsDecision = true;
            }
        }

        call.Finish(); // a cancel from now on is too late: the result stands

        await _toolEvents.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        if (call.TakePendingStatus() is { } lastStatus)
        {
            EmitStatus(call, lastStatus);
        }

        if (cancellationToken.IsCancellationRequested || !call.TrySettle())
        {
            // Discarded or cancelled while it ran (a tool may ignore its token): its result is not wanted, and no event says otherwise.
            throw new OperationCanceledException(cancellationToken);
        }

        string preview = TextPreview.Cut(result.Content, _options.ToolResultPreviewLength);
        _toolEvents.Write(new ToolCallCompleted
        {
            ToolCallId = call.Block.Id,
            ToolName = call.Block.Name,
            Result = result.Content,
            ResultPreview = preview,
            IsResultTruncated = preview.Length < result.Content.Length,
            IsError = result.IsError,
            Duration = _time.GetElapsedTime(started),
        });

        return new ToolResultBlock
        {
            ToolUseId = call.Block.Id,
            Content = result.Content.Length == 0 ? [] : [new TextBlock { Text = result.Content }],
            IsError = result.IsError ? true : null,
        };
    }

    private async Task<ToolResult> RunToolAsync(ToolCall call, bool isEager, CancellationToken cancellationToken)
    {
        ToolUseBlock block = call.Block;
        if (block.InputStatus != ToolInputStatus.Complete)
        {
            return ToolResult.Error($"The input of this '{block.Name}' call was {block.InputStatus.ToString().ToLowerInvariant()} JSON, so the tool was not run: {block.InputJson}");
        }

        if (!_tools.TryGetTool(block.Name, out AgentTool? tool))
        {
            return ToolResult.Error($"There is no tool named '{block.Name}'. Available tools: {string.Join(", ", _tools.Tools.Select(static t => t.Name))}.");
        }

        IReadOnlyList<string> problems = ToolInputValidator.Validate(block.Input, tool.InputSchema);
        if (problems.Count > 0)
        {
            return ToolResult.Error($"The input does not match the schema of tool '{block.Name}', so it was not run: {string.Join(" ", problems)}");
        }

        if (tool.NeedsApproval(block.Input))
        {
            if (await AwaitApprovalAsync(call, cancellationToken).ConfigureAwait(false) is { } refusal)
            {
                call.IsPersonsDecision = true;
                return refusal;
            }

            call.ReadyAt = call.ReadyAt is null ? null : _time.GetTimestamp(); // the start delay measures the runner, not the person
        }

        await AcquireSlotAsync(tool.RunsAlone, cancellationToken).ConfigureAwait(false);
        try
        {
            await _toolEvents.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            if (!call.TryStart())
            {
                throw new OperationCanceledException(); // the user cancelled it before it ran: it never will
            }

            _toolEvents.Write(ToolCallControls.Attach(new ToolExecutionStarted { ToolCallId = block.Id, ToolName = block.Name, IsEager = isEager }, call));
            RunTelemetry.ToolCallTelemetry? span = _telemetry?.StartTool(block.Name, block.Id, block.InputJson, call.ReadyAt);
            ToolResult? result = null;
            try
            {
                result = await InvokeToolAsync(tool, call, cancellationToken).ConfigureAwait(false);
                return result;
            }
            finally
            {
                span?.End(result);
            }
        }
        finally
        {
            ReleaseSlot(tool.RunsAlone);
        }
    }

    /// <summary>
    /// Asks for approval and waits for the answer (no concurrency slot is held meanwhile): null when approved, else the
    /// result that says why the call was not run (declined, or no answer within <see cref="AgentRunnerOptions.ApprovalTimeout"/>).
    /// </summary>
    private async Task<ToolResult?> AwaitApprovalAsync(ToolCall call, CancellationToken cancellationToken)
    {
        Task<ToolResult?> answer = call.RequestApproval();
        await _toolEvents.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        _toolEvents.Write(ToolCallControls.Attach(new ToolApprovalRequested { ToolCallId = call.Block.Id, ToolName = call.Block.Name, Input = call.Block.Input }, call));
        TimeSpan limit = _options.ApprovalTimeout;
        using CancellationTokenSource? timeout = limit == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(limit, _time);
        using CancellationTokenRegistration expiry = timeout?.Token.UnsafeRegister(
            static (state, _) => ((ToolCall)state!).Answer(ToolResult.Error(
                $"Nobody approved this '{((ToolCall)state).Block.Name}' call in time, so it was not run.")),
            call) ?? default;
        return await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the tool within its time limit; an exception or a timeout becomes an error result.</summary>
    private async Task<ToolResult> InvokeToolAsync(AgentTool tool, ToolCall call, CancellationToken cancellationToken)
    {
        ToolUseBlock block = call.Block;
        TimeSpan limit = tool.Timeout ?? _options.ToolTimeout;
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var context = new ToolContext(block.Id, block.Name, status => ReportStatus(call, status), linked.Token, _services);
        try
        {
            return await tool.ExecuteAsync(block.Input, context).ConfigureAwait(false) ?? ToolResult.Error($"Tool '{block.Name}' returned no result.");
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ToolResult.Error($"Tool '{block.Name}' timed out after {limit.TotalSeconds:0.###} s.");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ToolFailed(_logger, block.Name, exception);
            return ToolResult.Error(DescribeFailure(block.Name, exception));
        }
    }

    /// <summary>
    /// A status report cannot wait for a slow consumer (it is synchronous), so while the event buffer is full only a
    /// call's latest status is kept, and sent once there is room or just before the call completes.
    /// </summary>
    private void ReportStatus(ToolCall call, string status)
    {
        if (call.IsSettled)
        {
            return;
        }

        if (_toolEvents.HasRoom)
        {
            call.TakePendingStatus(); // superseded
            EmitStatus(call, status);
        }
        else
        {
            call.SetPendingStatus(status);
        }
    }

    private void EmitStatus(ToolCall call, string status) =>
        _toolEvents.Write(new ToolStatusReported { ToolCallId = call.Block.Id, ToolName = call.Block.Name, Status = status });

    /// <summary>A tool that runs alone takes every slot; the gate keeps two such tools from each holding some.</summary>
    private async Task AcquireSlotAsync(bool alone, CancellationToken cancellationToken)
    {
        if (!alone)
        {
            await _toolSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await _aloneGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        int acquired = 0;
        try
        {
            for (; acquired < _options.MaxConcurrentTools; acquired++)
            {
                await _toolSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (acquired > 0)
            {
                _toolSlots.Release(acquired);
            }

            _aloneGate.Release();
            throw;
        }
    }

    private void ReleaseSlot(bool alone)
    {
        if (alone)
        {
            _toolSlots.Release(_options.MaxConcurrentTools);
            _aloneGate.Release();
        }
        else
        {
            _toolSlots.Release();
        }
    }

    private string DescribeFailure(string toolName, Exception exception) => _options.ToolErrorDetail switch
    {
        ToolErrorDetail.None => $"Tool '{toolName}' failed.",
        ToolErrorDetail.Full => $"Tool '{toolName}' failed: {exception}",
        _ => $"Tool '{toolName}' failed: {exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>
    /// One announced tool call; it settles once, either completed or discarded. The consumer may approve, deny or
    /// cancel it (from any thread) through the events about it; one lock orders those answers against each other and
    /// against the call starting and finishing, so exactly one outcome wins.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The CancellationTokenSource has no timer and is never linked: nothing to release.")]
    private sealed class ToolCall(ToolUseBlock block) : IToolCallControl
    {
        private readonly CancellationTokenSource _userCancel = new();
        private readonly Lock _gate = new();
        private TaskCompletionSource<ToolResult?>? _approval;
        private bool _isCancelRequested;
        private bool _isFinished;
        private int _settled;
        private string? _pendingStatus;

        public ToolUseBlock Block { get; set; } = block;

        public string ToolCallId => Block.Id;

        /// <summary>Gets the token cancelled when the user cancels this call.</summary>
        public CancellationToken UserCancellation => _userCancel.Token;

        public bool IsCancelledByUser => Volatile.Read(ref _isCancelRequested);

        /// <summary>
        /// Gets or sets whether the result is a person's decision (declined, unanswered, cancelled), not the tool's own:
        /// it does not count towards <see cref="AgentRunnerOptions.MaxConsecutiveToolErrors"/>.
        /// </summary>
        public bool IsPersonsDecision { get; set; }

        /// <summary>Gets whether the tool was invoked (for <see cref="ToolCallDiscarded.WasExecuting"/>).</summary>
        public bool IsExecuting { get; private set; }

        /// <summary>Starts waiting for an answer: null approves, a result refuses.</summary>
        public Task<ToolResult?> RequestApproval()
        {
            var approval = new TaskCompletionSource<ToolResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _approval = approval;
            }

            return approval.Task;
        }

        /// <summary>Answers a pending approval request; only the first answer counts, and none after a cancel.</summary>
        public bool Answer(ToolResult? refusal)
        {
            lock (_gate)
            {
                return !_isCancelRequested && !IsSettled && (_approval?.TrySetResult(refusal) ?? false);
            }
        }

        public bool Approve() => Answer(null);

        public bool Deny(string? reason) => Answer(ToolResult.Error(
            $"The user declined this '{Block.Name}' call, so it was not run{(string.IsNullOrWhiteSpace(reason) ? "." : $": {reason}")}"));

        public bool Cancel()
        {
            lock (_gate)
            {
                if (_isCancelRequested || _isFinished || IsSettled)
                {
                    return false;
                }

                Volatile.Write(ref _isCancelRequested, true);
                _approval?.TrySetResult(CancelledResult());
            }

            // Off the caller's thread: cancelling runs the tool's callbacks, which are not the consumer's to run.
            ThreadPool.UnsafeQueueUserWorkItem(
                static source =>
                {
                    try
                    {
                        source.Cancel();
                    }
                    catch (AggregateException)
                    {
                        // A callback the tool registered threw; the call is cancelled all the same.
                    }
                },
                _userCancel,
                preferLocal: false);
            return true;
        }

        public ToolResult CancelledResult() => ToolResult.Error($"The user cancelled this '{Block.Name}' call.");

        /// <summary>Marks the tool as running, unless the user cancelled the call first (then it never runs).</summary>
        public bool TryStart()
        {
            lock (_gate)
            {
                IsExecuting = !_isCancelRequested;
                return IsExecuting;
            }
        }

        /// <summary>The call has its result: a cancel after this is too late, and says so.</summary>
        public void Finish()
        {
            lock (_gate)
            {
                _isFinished = true;
            }
        }

        /// <summary>Gets or sets when its input was complete (a timestamp), when telemetry is on.</summary>
        public long? ReadyAt { get; set; }

        public Task<ToolResultBlock>? Execution { get; set; }

        public bool IsSettled => Volatile.Read(ref _settled) != 0;

        public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;

        public void SetPendingStatus(string status) => Volatile.Write(ref _pendingStatus, status);

        public string? TakePendingStatus() => Interlocked.Exchange(ref _pendingStatus, null);
    }

    /// <summary>
    /// The tool calls of one turn attempt, by content block index (the model's IDs are not trusted to be unique):
    /// started early or at the end, finished or discarded together. Their events go through the run's tool queue.
    /// </summary>
    private sealed class TurnTools(AgentRun run)
    {
        private readonly CancellationTokenSource _discard = CancellationTokenSource.CreateLinkedTokenSource(run.Token);
        private readonly SortedDictionary<int, ToolCall> _calls = [];
        private Task? _allDone;
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _isDone;
        private int _started;
        private int _finished;

        /// <summary>Gets the exception of a call that failed outright (a defect, not an error result), if one did.</summary>
        public Exception? Defect { get; private set; }

        /// <summary>Gets whether a started call is still running or has events waiting (cheap: asked for every event).</summary>
        public bool HasWork => run._toolEvents.HasEvents || Volatile.Read(ref _finished) < _started;

        /// <summary>Notes when a call's input was complete, for the start-delay measurement.</summary>
        public void MarkReady(int blockIndex, long timestamp)
        {
            if (_calls.TryGetValue(blockIndex, out ToolCall? call))
            {
                call.ReadyAt = timestamp;
            }
        }

        /// <summary>A tool call began streaming; its <see cref="ToolCallStarted"/> gets the call's control.</summary>
        public ToolCallStarted Announce(int blockIndex, ToolUseBlock block, ToolCallStarted started) =>
            ToolCallControls.Attach(started, _calls[blockIndex] = new ToolCall(block));

        public void Start(int blockIndex, ToolUseBlock block, bool isEager)
        {
            if (!_calls.TryGetValue(blockIndex, out ToolCall? call))
            {
                _calls[blockIndex] = call = new ToolCall(block);
            }

            call.Block = block;
            CancellationToken token = _discard.Token;
            _started++;
            call.Execution = Task.Run(
                async () =>
                {
                    try
                    {
                        return await run.ExecuteToolAsync(call, isEager, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Increment(ref _finished);
                    }
                },
                CancellationToken.None);
            _ = call.Execution.ContinueWith(
                static (_, failed) => ((TaskCompletionSource)failed!).TrySetResult(),
                _failed,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        /// <summary>Starts every call of the message not started yet (the message ended with <c>tool_use</c>).</summary>
        public void StartRemaining(Message message)
        {
            for (int index = 0; index < message.Content.Count; index++)
            {
                if (message.Content[index] is ToolUseBlock block && _calls.GetValueOrDefault(index)?.Execution is null)
                {
                    Start(index, block, isEager: false);
                }
            }
        }

        public bool TryReadEvent([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AgentEvent? agentEvent)
        {
            agentEvent = null;
            return run._toolEvents.HasEvents && run._toolEvents.TryRead(out agentEvent);
        }

        /// <summary>Completes when a tool event is waiting, or when <paramref name="other"/> completes.</summary>
        public Task<Task> WaitForEventAsync(Task other) => Task.WhenAny(other, run._toolEvents.WaitToReadAsync(run.Token).AsTask());

        /// <summary>
        /// The next event of the running calls, as it comes; null once all have finished and their events were read,
        /// or as soon as one fails outright (<see cref="Defect"/>): the others are then discarded.
        /// </summary>
        public async ValueTask<AgentEvent?> NextEventAsync()
        {
            _allDone ??= Task.WhenAll(_calls.Values.Where(static call => call.Execution is not null).Select(static call => call.Execution!));
            while (true)
            {
                // Seen before reading: a call writes its last event before it ends, so once all had ended, the read
                // below sees every event (seen after, an event written in between would slip into the next turn).
                bool allDone = _allDone.IsCompleted;
                if (TryReadEvent(out AgentEvent? agentEvent))
                {
                    return agentEvent;
                }

                if (_calls.Values.FirstOrDefault(static call => call.Execution is { IsFaulted: true }) is { } failed)
                {
                    Defect = failed.Execution!.Exception!.InnerException;
                    return null;
                }

                if (allDone)
                {
                    run.Token.ThrowIfCancellationRequested();
                    return null;
                }

                // A call that fails outright writes no event, and the others may run on until discarded: its failure
                // must wake the wait too.
                await Task.WhenAny(_allDone, _failed.Task, run._toolEvents.WaitToReadAsync(run.Token).AsTask()).ConfigureAwait(false);
            }
        }

        /// <summary>The results in block order, once every call has finished.</summary>
        public List<ToolResultBlock> CollectResults()
        {
            var results = new List<ToolResultBlock>(_calls.Count);
            foreach (ToolCall call in _calls.Values.Where(static call => call.Execution is not null))
            {
                ToolResultBlock result = call.Execution!.Result;
                results.Add(result);
                if (!call.IsPersonsDecision)
                {
                    run._consecutiveToolErrors = result.IsError == true ? run._consecutiveToolErrors + 1 : 0;
                }
            }

            _isDone = true;
            _discard.Dispose();
            return results;
        }

        /// <summary>
        /// Cancels every call and waits for all of them whatever they throw (none outlives its turn). Returns the events
        /// still queued, then a <see cref="ToolCallDiscarded"/> for each announced call that did not complete, with
        /// <paramref name="reason"/> (none when the run is cancelled or no reason is given).
        /// </summary>
        public async Task<List<AgentEvent>> DiscardAsync(string? reason)
        {
            var remaining = new List<AgentEvent>();
            if (_isDone)
            {
                return remaining;
            }

            _isDone = true;
            await _discard.CancelAsync().ConfigureAwait(false);
            foreach (ToolCall call in _calls.Values)
            {
                if (call.Execution is { } execution)
                {
                    try
                    {
                        await execution.ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // Cancelled, as asked; the exception is observed here so none goes unobserved.
                    }
                }
            }

            while (TryReadEvent(out AgentEvent? queued))
            {
                remaining.Add(queued);
            }

            foreach (ToolCall call in _calls.Values)
            {
                if (call.TrySettle() && reason is not null && !run.Token.IsCancellationRequested)
                {
                    remaining.Add(new ToolCallDiscarded { ToolCallId = call.Block.Id, ToolName = call.Block.Name, Reason = reason, WasExecuting = call.IsExecuting });
                }
            }

            _calls.Clear();
            _discard.Dispose();
            return remaining;
        }
    }
}
