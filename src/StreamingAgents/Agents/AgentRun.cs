using Microsoft.Extensions.Logging;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Agents;

/// <summary>The state and loop of one agent run: turns, tool calls, the conversation, and the events they emit.</summary>
internal sealed partial class AgentRun : IDisposable
{
    private readonly IAnthropicClient _client;
    private readonly IToolRegistry _tools;
    private readonly AgentRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MessageRequest _template;
    private readonly AgentEventBuffer _events;
    private readonly Lock _emitLock = new();
    private readonly List<MessageParam> _conversation;
    private long _sequence;
    private int _turn;
    private Usage _totalUsage = new();
    private Message? _lastMessage;

    public AgentRun(IAnthropicClient client, IToolRegistry tools, AgentRunnerOptions options, TimeProvider time, ILogger logger, MessageRequest request, AgentEventBuffer events)
    {
        _client = client;
        _tools = tools;
        _options = options;
        _time = time;
        _logger = logger;
        _events = events;
        _conversation = [.. request.Messages];
        IEnumerable<ToolDefinition> definitions = tools.Tools.Select(static tool => tool.ToDefinition()).Concat(request.Tools ?? []);
        _template = request with { Tools = definitions.Any() ? [.. definitions] : null };
        _toolSlots = new SemaphoreSlim(options.MaxConcurrentTools, options.MaxConcurrentTools);
    }

    /// <summary>
    /// Runs to the end, then completes the event buffer. Only cancellation reaches the consumer as an exception; any
    /// other failure, even a defect, ends the run with <see cref="RunCompleted"/> (<see cref="AgentRunOutcome.Failed"/>).
    /// </summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        Exception? ending = null;
        try
        {
            await LoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever a tool or the stream threw while being cancelled, the consumer sees the cancellation.
            ending = new OperationCanceledException(cancellationToken);
        }
        catch (Exception defect)
        {
            Log.RunFailed(_logger, _turn, defect);
            Complete(AgentRunOutcome.Failed, new AgentError { Type = AgentError.InternalType, Message = defect.Message });
        }
        finally
        {
            _events.Complete(ending); // always: a consumer must never wait for a run that has ended
        }
    }

    /// <summary>Releases the tool slots; call after <see cref="ExecuteAsync"/> finished (no tool is running then).</summary>
    public void Dispose()
    {
        _toolSlots.Dispose();
        _aloneGate.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        for (_turn = 1; _turn <= _options.MaxTurns; _turn++)
        {
            (Message message, TurnTools tools)? turn = await RunTurnAsync(cancellationToken).ConfigureAwait(false);
            if (turn is not { } result)
            {
                return; // failed; RunCompleted was emitted
            }

            Message message = result.message;
            _lastMessage = message;
            _totalUsage += message.Usage;
            Emit(new TurnCompleted { StopReason = message.StopReason, Usage = message.Usage });

            if (message.StopReason == StopReason.ToolUse)
            {
                _conversation.Add(MessageParam.Assistant(ToolInputs.WithSendableInputs(message)));
                IReadOnlyList<ToolResultBlock> results = await result.tools.FinishAsync(message).ConfigureAwait(false);
                _conversation.Add(MessageParam.User(results));
                if (_consecutiveToolErrors >= _options.MaxConsecutiveToolErrors)
                {
                    Complete(AgentRunOutcome.ToolErrorLimit, new AgentError
                    {
                        Type = AgentError.ToolErrorLimitType,
                        Message = $"Tools failed {_consecutiveToolErrors} times in a row (AgentRunnerOptions.MaxConsecutiveToolErrors is {_options.MaxConsecutiveToolErrors}).",
                    });
                    return;
                }

                continue;
            }

            // Any other ending: tools started early are not wanted, and a cut-off tool call is never executed.
            await result.tools.DiscardAsync(ToolCallDiscarded.NotRequestedReason).ConfigureAwait(false);
            if (message.StopReason == StopReason.PauseTurn)
            {
                // Anthropic docs: send the paused response back as it is, and the model continues where it stopped.
                _conversation.Add(MessageParam.Assistant(ToolInputs.WithSendableInputs(message)));
                continue;
            }

            if (message.StopReason == StopReason.MaxTokens || message.StopReason == StopReason.ModelContextWindowExceeded)
            {
                _conversation.Add(MessageParam.Assistant(ToolInputs.WithoutIncompleteCalls(message)));
                if (message.StopReason == StopReason.MaxTokens && _options.OnMaxTokens == MaxTokensBehavior.Continue)
                {
                    continue;
                }

                Complete(message.StopReason == StopReason.MaxTokens ? AgentRunOutcome.MaxTokens : AgentRunOutcome.ContextWindowExceeded);
                return;
            }

            if (message.StopReason == StopReason.Refusal)
            {
                // Anthropic docs: a refused turn must not be sent back; the conversation ends at the turn that caused it.
                Complete(AgentRunOutcome.Refused);
                return;
            }

            _conversation.Add(MessageParam.Assistant(ToolInputs.WithSendableInputs(message)));
            Complete(AgentRunOutcome.Completed);
            return;
        }

        _turn = _options.MaxTurns;
        Complete(AgentRunOutcome.MaxTurns);
    }

    /// <summary>
    /// Streams one model response, starting it again after a failure once events had arrived, while retries remain.
    /// A failure before the first event has already had the client's retries (<c>MaxRetries</c>): it ends the run.
    /// </summary>
    private async Task<(Message message, TurnTools tools)?> RunTurnAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            Emit(new TurnStarted { Attempt = attempt });
            var tools = new TurnTools(this, cancellationToken);
            var progress = new TurnProgress();
            try
            {
                Message message = await StreamTurnAsync(tools, progress, cancellationToken).ConfigureAwait(false);
                return (message, tools);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The client's rule decides here too: the same failures are transient whether or not events arrived.
                bool retry = progress.HasEvents && attempt <= _options.MaxStreamRetries && RetryPolicy.IsRetryable(exception, cancellationToken);
                await tools.DiscardAsync(retry ? ToolCallDiscarded.TurnRetryingReason : ToolCallDiscarded.RunFailedReason).ConfigureAwait(false);
                if (!retry)
                {
                    Log.RunFailed(_logger, _turn, exception);
                    Complete(AgentRunOutcome.Failed, AgentError.From(exception));
                    return null;
                }

                Log.TurnRetrying(_logger, _turn, attempt + 1, exception);
                Emit(new TurnRetrying { NextAttempt = attempt + 1, Error = AgentError.From(exception) });
                await Task.Delay(_options.StreamRetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await tools.DiscardAsync(reason: null).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Reads one response, turning stream events into agent events and starting read-only tools early.</summary>
    private async Task<Message> StreamTurnAsync(TurnTools tools, TurnProgress progress, CancellationToken cancellationToken)
    {
        MessageRequest request = _template with { Messages = [.. _conversation] };
        using var accumulator = new MessageAccumulator();
        var inputs = new Dictionary<int, ToolInputTracker>();
        try
        {
            await foreach (StreamEvent streamEvent in _client.StreamAsync(request, cancellationToken).ConfigureAwait(false))
            {
                progress.HasEvents = true;
                accumulator.Add(streamEvent);
                switch (streamEvent)
                {
                    case ContentBlockStartEvent { ContentBlock: ToolUseBlock call } start:
                        inputs[start.Index] = new ToolInputTracker(call.Id, _options.MaxInputSnapshotBytes);
                        tools.Announce(start.Index, call);
                        string? label = _tools.TryGetTool(call.Name, out AgentTool? tool) ? tool.StatusLabel : null;
                        Emit(new ToolCallStarted { ToolCallId = call.Id, ToolName = call.Name, StatusLabel = label, BlockIndex = start.Index });
                        break;
                    case ContentBlockDeltaEvent { Delta: TextDelta text } delta:
                        Emit(new TextReceived { Text = text.Text, BlockIndex = delta.Index });
                        break;
                    case ContentBlockDeltaEvent { Delta: ThinkingDelta thinking } delta:
                        Emit(new ThinkingReceived { Thinking = thinking.Thinking, BlockIndex = delta.Index });
                        break;
                    case ContentBlockDeltaEvent { Delta: InputJsonDelta json } delta when inputs.TryGetValue(delta.Index, out ToolInputTracker? input):
                        Emit(input.Progress(json.PartialJson));
                        break;
                    case ContentBlockStopEvent stop when inputs.Remove(stop.Index, out ToolInputTracker? input):
                        input.Dispose();
                        OnToolCallReady((ToolUseBlock)accumulator.GetContentBlock(stop.Index), stop.Index, tools);
                        break;
                    case PingEvent:
                        Emit(new Heartbeat());
                        break;
                }

                // Backpressure: a consumer that falls behind pauses the reading of the model stream.
                await _events.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (ToolInputTracker input in inputs.Values)
            {
                input.Dispose();
            }
        }

        return accumulator.Message;
    }

    /// <summary>
    /// A tool call is whole only at its <c>content_block_stop</c> (Anthropic streaming docs). A read-only tool starts
    /// now, before the message ends; any other waits for <c>stop_reason: tool_use</c>.
    /// </summary>
    private void OnToolCallReady(ToolUseBlock call, int blockIndex, TurnTools tools)
    {
        Emit(new ToolCallReady { ToolCallId = call.Id, ToolName = call.Name, Input = call.Input, InputStatus = call.InputStatus });
        if (call.InputStatus == ToolInputStatus.Complete && _tools.TryGetTool(call.Name, out AgentTool? tool) && tool.IsReadOnly)
        {
            tools.Start(blockIndex, call, isEager: true);
        }
    }

    private void Complete(AgentRunOutcome outcome, AgentError? error = null) => Emit(new RunCompleted
    {
        Outcome = outcome,
        Conversation = [.. _conversation],
        FinalMessage = _lastMessage,
        FinalText = _lastMessage?.GetText(),
        StopDetails = _lastMessage?.StopDetails,
        TotalUsage = _totalUsage,
        TurnCount = _turn,
        Error = error,
    });

    /// <summary>Numbers, stamps and publishes an event; the lock keeps sequence order equal to delivery order.</summary>
    private void Emit(AgentEvent agentEvent)
    {
        lock (_emitLock)
        {
            agentEvent.Sequence = ++_sequence;
            agentEvent.Timestamp = _time.GetUtcNow();
            agentEvent.Turn = _turn;
            _events.Write(agentEvent);
        }
    }

    /// <summary>Whether a turn attempt received any event: only then may the runner retry it.</summary>
    private sealed class TurnProgress
    {
        public bool HasEvents { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Turn {Turn} failed mid-stream; starting attempt {Attempt}.")]
        public static partial void TurnRetrying(ILogger logger, int turn, int attempt, Exception exception);

        [LoggerMessage(2, LogLevel.Error, "Agent run failed in turn {Turn}.")]
        public static partial void RunFailed(ILogger logger, int turn, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Tool {ToolName} failed.")]
        public static partial void ToolFailed(ILogger logger, string toolName, Exception exception);
    }
}
