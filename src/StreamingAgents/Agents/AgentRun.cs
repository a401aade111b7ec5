using System.Threading.Channels;
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
    private readonly ChannelWriter<AgentEvent> _events;
    private readonly Lock _emitLock = new();
    private readonly List<MessageParam> _conversation;
    private long _sequence;
    private int _turn;
    private Usage _totalUsage = new();
    private Message? _lastMessage;

    public AgentRun(IAnthropicClient client, IToolRegistry tools, AgentRunnerOptions options, TimeProvider time, ILogger logger, MessageRequest request, ChannelWriter<AgentEvent> events)
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

    /// <summary>Runs to the end, then completes the event channel (with the cancellation, if cancelled).</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoopAsync(cancellationToken).ConfigureAwait(false);
            _events.TryComplete();
        }
        catch (Exception exception)
        {
            // Cancellation, or a defect in this library: either way the consumer sees it, after every event before it.
            _events.TryComplete(exception);
        }
    }

    /// <summary>Releases the tool slots; call after <see cref="ExecuteAsync"/> finished.</summary>
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
                _conversation.Add(MessageParam.Assistant(message));
                IReadOnlyList<ToolResultBlock> results = await result.tools.FinishAsync(message).ConfigureAwait(false);
                _conversation.Add(MessageParam.User(results));
                if (_consecutiveToolErrors >= _options.MaxConsecutiveToolErrors)
                {
                    Complete(AgentRunOutcome.ToolErrorLimit);
                    return;
                }

                continue;
            }

            // Any other ending: tools started early are not wanted, and a cut-off tool call is never executed.
            await result.tools.DiscardAsync().ConfigureAwait(false);
            if (message.StopReason == StopReason.PauseTurn)
            {
                // Anthropic docs: send the paused response back as it is, and the model continues where it stopped.
                _conversation.Add(MessageParam.Assistant(message));
                continue;
            }

            if (message.StopReason == StopReason.MaxTokens)
            {
                _conversation.Add(MessageParam.Assistant(WithoutIncompleteToolCalls(message)));
                if (_options.OnMaxTokens == MaxTokensBehavior.Continue)
                {
                    continue;
                }

                Complete(AgentRunOutcome.MaxTokens);
                return;
            }

            _conversation.Add(MessageParam.Assistant(message));
            Complete(AgentRunOutcome.Completed);
            return;
        }

        _turn = _options.MaxTurns;
        Complete(AgentRunOutcome.MaxTurns);
    }

    /// <summary>Streams one model response, starting it again after a mid-stream failure while retries remain.</summary>
    private async Task<(Message message, TurnTools tools)?> RunTurnAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            Emit(new TurnStarted { Attempt = attempt });
            var tools = new TurnTools(this, cancellationToken);
            try
            {
                Message message = await StreamTurnAsync(tools, cancellationToken).ConfigureAwait(false);
                return (message, tools);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                await tools.DiscardAsync().ConfigureAwait(false);
                // The client's rule decides here too: the same failures are transient whether or not events arrived.
                if (attempt > _options.MaxStreamRetries || !RetryPolicy.IsRetryable(exception, cancellationToken))
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
                await tools.DiscardAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Reads one response, turning stream events into agent events and starting read-only tools early.</summary>
    private async Task<Message> StreamTurnAsync(TurnTools tools, CancellationToken cancellationToken)
    {
        MessageRequest request = _template with { Messages = [.. _conversation] };
        var accumulator = new MessageAccumulator();
        var inputs = new Dictionary<int, ToolInputTracker>();
        try
        {
            await foreach (StreamEvent streamEvent in _client.StreamAsync(request, cancellationToken).ConfigureAwait(false))
            {
                accumulator.Add(streamEvent);
                switch (streamEvent)
                {
                    case ContentBlockStartEvent { ContentBlock: ToolUseBlock call } start:
                        inputs[start.Index] = new ToolInputTracker(call.Id, _options.MaxInputSnapshotBytes);
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
                        OnToolCallReady((ToolUseBlock)accumulator.GetContentBlock(stop.Index), tools);
                        break;
                    case PingEvent:
                        Emit(new Heartbeat());
                        break;
                }
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
    private void OnToolCallReady(ToolUseBlock call, TurnTools tools)
    {
        Emit(new ToolCallReady { ToolCallId = call.Id, ToolName = call.Name, Input = call.Input, InputStatus = call.InputStatus });
        if (call.InputStatus == ToolInputStatus.Complete && _tools.TryGetTool(call.Name, out AgentTool? tool) && tool.IsReadOnly)
        {
            tools.Start(call, isEager: true);
        }
    }

    private void Complete(AgentRunOutcome outcome, AgentError? error = null) => Emit(new RunCompleted
    {
        Outcome = outcome,
        Conversation = [.. _conversation],
        FinalMessage = _lastMessage,
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
            _events.TryWrite(agentEvent);
        }
    }

    private static Message WithoutIncompleteToolCalls(Message message) => message with
    {
        Content = [.. message.Content.Where(static block => block is not ToolCallBlock { InputStatus: not ToolInputStatus.Complete })],
    };

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
