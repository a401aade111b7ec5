using System.Text.Json;
using StreamingAgents.Json;
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
        try
        {
            result = await RunToolAsync(call, isEager, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // A tool may answer cancellation with any exception (an IOException from a socket, say): it is a cancellation.
            throw new OperationCanceledException(cancellationToken);
        }

        await _events.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
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
        Emit(new ToolCallCompleted
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

        await AcquireSlotAsync(tool.RunsAlone, cancellationToken).ConfigureAwait(false);
        try
        {
            await _events.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            call.IsExecuting = true;
            Emit(new ToolExecutionStarted { ToolCallId = block.Id, ToolName = block.Name, IsEager = isEager });
            TimeSpan limit = tool.Timeout ?? _options.ToolTimeout;
            using var timeout = new CancellationTokenSource(limit, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var context = new ToolContext(block.Id, block.Name, status => ReportStatus(call, status), linked.Token);
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
        finally
        {
            ReleaseSlot(tool.RunsAlone);
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

        if (_events.HasRoom)
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
        Emit(new ToolStatusReported { ToolCallId = call.Block.Id, ToolName = call.Block.Name, Status = status });

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

    /// <summary>One announced tool call; it settles once, either completed or discarded.</summary>
    private sealed class ToolCall(ToolUseBlock block)
    {
        private int _settled;
        private string? _pendingStatus;

        public ToolUseBlock Block { get; set; } = block;

        public Task<ToolResultBlock>? Execution { get; set; }

        public bool IsExecuting { get; set; }

        public bool IsSettled => Volatile.Read(ref _settled) != 0;

        public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;

        public void SetPendingStatus(string status) => Volatile.Write(ref _pendingStatus, status);

        public string? TakePendingStatus() => Interlocked.Exchange(ref _pendingStatus, null);
    }

    /// <summary>
    /// The tool calls of one turn attempt, by content block index (the model's IDs are not trusted to be unique):
    /// started early or at the end, finished or discarded together.
    /// </summary>
    private sealed class TurnTools(AgentRun run, CancellationToken runToken)
    {
        private readonly CancellationTokenSource _discard = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        private readonly SortedDictionary<int, ToolCall> _calls = [];
        private bool _isDone;

        /// <summary>A tool call began streaming (<see cref="ToolCallStarted"/> was emitted).</summary>
        public void Announce(int blockIndex, ToolUseBlock block) => _calls[blockIndex] = new ToolCall(block);

        public void Start(int blockIndex, ToolUseBlock block, bool isEager)
        {
            if (!_calls.TryGetValue(blockIndex, out ToolCall? call))
            {
                _calls[blockIndex] = call = new ToolCall(block);
            }

            call.Block = block;
            CancellationToken token = _discard.Token;
            call.Execution = Task.Run(() => run.ExecuteToolAsync(call, isEager, token), CancellationToken.None);
        }

        /// <summary>Starts the calls not yet started, waits for all, and returns the results in block order.</summary>
        public async Task<IReadOnlyList<ToolResultBlock>> FinishAsync(Message message)
        {
            try
            {
                for (int index = 0; index < message.Content.Count; index++)
                {
                    if (message.Content[index] is ToolUseBlock block && _calls.GetValueOrDefault(index)?.Execution is null)
                    {
                        Start(index, block, isEager: false);
                    }
                }

                // In completion order, so a call that fails outright (a defect, not an error result) stops the others
                // at once instead of after the slowest of them.
                Task<ToolResultBlock>[] executions = [.. _calls.Values.Where(static call => call.Execution is not null).Select(static call => call.Execution!)];
                for (var pending = new List<Task<ToolResultBlock>>(executions); pending.Count > 0;)
                {
                    Task<ToolResultBlock> finished = await Task.WhenAny(pending).ConfigureAwait(false);
                    pending.Remove(finished);
                    await finished.ConfigureAwait(false);
                }

                var results = new List<ToolResultBlock>(executions.Length);
                foreach (Task<ToolResultBlock> execution in executions)
                {
                    ToolResultBlock result = execution.Result;
                    results.Add(result);
                    run._consecutiveToolErrors = result.IsError == true ? run._consecutiveToolErrors + 1 : 0;
                }

                _isDone = true;
                _discard.Dispose();
                return results;
            }
            catch
            {
                await DiscardAsync(ToolCallDiscarded.RunFailedReason).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>
        /// Cancels every call, waits for all of them whatever they throw (none outlives its turn), and reports each
        /// announced call that did not complete as discarded, with <paramref name="reason"/> (none when cancelled).
        /// </summary>
        public async Task DiscardAsync(string? reason)
        {
            if (_isDone)
            {
                return;
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

                if (call.TrySettle() && reason is not null && !runToken.IsCancellationRequested)
                {
                    run.Emit(new ToolCallDiscarded { ToolCallId = call.Block.Id, ToolName = call.Block.Name, Reason = reason, WasExecuting = call.IsExecuting });
                }
            }

            _calls.Clear();
            _discard.Dispose();
        }
    }

    /// <summary>Follows one tool call's input as it streams, for <see cref="ToolInputProgress"/>.</summary>
    private sealed class ToolInputTracker(string toolCallId, int maxSnapshotBytes) : IDisposable
    {
        private readonly PartialJsonAccumulator _json = new();

        public ToolInputProgress Progress(string fragment)
        {
            _json.Append(fragment);
            JsonElement? snapshot = _json.Length <= maxSnapshotBytes ? _json.GetSnapshot() : null;
            return new ToolInputProgress { ToolCallId = toolCallId, Fragment = fragment, Snapshot = snapshot };
        }

        public void Dispose() => _json.Dispose();
    }
}
