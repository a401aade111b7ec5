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

    /// <summary>Runs one tool call to its result, turning every failure into an error result for the model.</summary>
    private async Task<ToolResultBlock> ExecuteToolAsync(ToolUseBlock call, bool isEager, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        ToolResult result = await RunToolAsync(call, isEager, cancellationToken).ConfigureAwait(false);

        // A discarded call (its turn failed or ended another way) reports nothing.
        cancellationToken.ThrowIfCancellationRequested();
        Emit(new ToolCallCompleted
        {
            ToolCallId = call.Id,
            ToolName = call.Name,
            Result = result.Content,
            IsError = result.IsError,
            Duration = _time.GetElapsedTime(started),
        });

        return new ToolResultBlock
        {
            ToolUseId = call.Id,
            Content = result.Content.Length == 0 ? [] : [new TextBlock { Text = result.Content }],
            IsError = result.IsError ? true : null,
        };
    }

    private async Task<ToolResult> RunToolAsync(ToolUseBlock call, bool isEager, CancellationToken cancellationToken)
    {
        if (call.InputStatus != ToolInputStatus.Complete)
        {
            return ToolResult.Error($"The input of this '{call.Name}' call was {call.InputStatus.ToString().ToLowerInvariant()} JSON, so the tool was not run: {call.InputJson}");
        }

        if (!_tools.TryGetTool(call.Name, out AgentTool? tool))
        {
            return ToolResult.Error($"There is no tool named '{call.Name}'. Available tools: {string.Join(", ", _tools.Tools.Select(static t => t.Name))}.");
        }

        IReadOnlyList<string> problems = ToolInputValidator.Validate(call.Input, tool.InputSchema);
        if (problems.Count > 0)
        {
            return ToolResult.Error($"The input does not match the schema of tool '{call.Name}', so it was not run: {string.Join(" ", problems)}");
        }

        await AcquireSlotAsync(tool.RunsAlone, cancellationToken).ConfigureAwait(false);
        try
        {
            Emit(new ToolExecutionStarted { ToolCallId = call.Id, ToolName = call.Name, IsEager = isEager });
            TimeSpan limit = tool.Timeout ?? _options.ToolTimeout;
            using var timeout = new CancellationTokenSource(limit, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var context = new ToolContext(call.Id, call.Name, status => Emit(new ToolStatusReported { ToolCallId = call.Id, ToolName = call.Name, Status = status }), linked.Token);
            try
            {
                return await tool.ExecuteAsync(call.Input, context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return ToolResult.Error($"Tool '{call.Name}' timed out after {limit.TotalSeconds:0.###} s.");
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.ToolFailed(_logger, call.Name, exception);
                return ToolResult.Error(DescribeFailure(call.Name, exception));
            }
        }
        finally
        {
            ReleaseSlot(tool.RunsAlone);
        }
    }

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

    /// <summary>The tool calls of one turn attempt: started early or at the end, finished or discarded together.</summary>
    private sealed class TurnTools(AgentRun run, CancellationToken runToken)
    {
        private readonly CancellationTokenSource _discard = CancellationTokenSource.CreateLinkedTokenSource(runToken);
        private readonly Dictionary<string, Task<ToolResultBlock>> _started = [];

        public void Start(ToolUseBlock call, bool isEager)
        {
            CancellationToken token = _discard.Token;
            _started[call.Id] = Task.Run(() => run.ExecuteToolAsync(call, isEager, token), CancellationToken.None);
        }

        /// <summary>Starts the calls not yet started, waits for all, and returns the results in block order.</summary>
        public async Task<IReadOnlyList<ToolResultBlock>> FinishAsync(Message message)
        {
            try
            {
                ToolUseBlock[] calls = [.. message.ToolCalls];
                foreach (ToolUseBlock call in calls.Where(call => !_started.ContainsKey(call.Id)))
                {
                    Start(call, isEager: false);
                }

                var results = new ToolResultBlock[calls.Length];
                for (int i = 0; i < calls.Length; i++)
                {
                    results[i] = await _started[calls[i].Id].ConfigureAwait(false);
                    run._consecutiveToolErrors = results[i].IsError == true ? run._consecutiveToolErrors + 1 : 0;
                }

                _discard.Dispose();
                return results;
            }
            catch
            {
                await DiscardAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Cancels every call and waits for them, so none outlives its turn.</summary>
        public async Task DiscardAsync()
        {
            await _discard.CancelAsync().ConfigureAwait(false);
            foreach (Task<ToolResultBlock> task in _started.Values)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Expected: the call was cancelled.
                }
            }

            _started.Clear();
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
