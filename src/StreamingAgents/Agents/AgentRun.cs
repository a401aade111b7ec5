using Microsoft.Extensions.Logging;
using StreamingAgents.Diagnostics;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Agents;

/// <summary>
/// One agent run: turns, tool calls, the conversation, and the events they produce. The consumer drives it: each
/// <c>MoveNextAsync</c> pulls the model stream as far as the next event, so a model event reaches the consumer on the
/// thread that read it, and a slow consumer slows the reading (backpressure without a buffer). Only tools, which run
/// concurrently, queue their events.
/// </summary>
internal sealed partial class AgentRun : IAsyncDisposable
{
    private readonly IAnthropicClient _client;
    private readonly IToolRegistry _tools;
    private readonly AgentRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MessageRequest _template;
    private readonly List<MessageParam> _conversation;
    private readonly CancellationTokenSource _cancellation;
    private readonly ToolEventQueue _toolEvents;
    private long _sequence;
    private int _turn;
    private Usage _totalUsage = new();
    private Message? _lastMessage;
    private TurnStream? _stream;
    private TurnTools? _turnTools;
    private readonly RunTelemetry? _telemetry;
    private readonly RunScope _scope;
    private readonly IServiceProvider? _services;
    private readonly long? _tokenBudget;
    private readonly CancellationTokenSource? _deadline;
    private bool _awaitsToolResults;
    private TurnStream? _streaming;
    private long _clockTick = long.MinValue;
    private DateTimeOffset _clockNow;

    /// <summary>Starts a run with the tools of <paramref name="scope"/> (which it disposes) as <paramref name="runOptions"/> allow.</summary>
    /// <exception cref="ArgumentException"><paramref name="runOptions"/> names a tool the agent does not have.</exception>
    public AgentRun(IAnthropicClient client, RunScope scope, AgentRunnerOptions options, TimeProvider time, ILogger logger, MessageRequest request, AgentRunOptions? runOptions, CancellationToken cancellationToken)
    {
        _client = client;
        _scope = scope;
        _services = scope.Services;
        _tools = runOptions?.Tools is { } allowed ? scope.Tools.Only(allowed) : scope.Tools;
        _options = options;
        _time = time;
        _logger = logger;
        _conversation = [.. request.Messages];
        IEnumerable<ToolDefinition> definitions = _tools.Tools.Select(static tool => tool.ToDefinition()).Concat(request.Tools ?? []);
        _template = request with
        {
            Model = request.Model ?? options.Model,
            MaxTokens = request.MaxTokens ?? options.MaxTokens,
            System = request.System ?? (options.SystemPrompt is { } system ? new SystemPrompt(system) : null),
            Tools = definitions.Any() ? [.. definitions] : null,
        };
        _tokenBudget = runOptions?.TokenBudget;
        if (runOptions?.Deadline is { } deadline)
        {
            // A CancellationTokenSource timer reaches about 49 days; a deadline further out cannot matter to a run.
            TimeSpan left = deadline - time.GetUtcNow();
            _deadline = new CancellationTokenSource(left <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, int.MaxValue - 1)), time);
        }

        _cancellation = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
        _toolEvents = new ToolEventQueue(options.MaxBufferedEvents);
        _toolSlots = new SemaphoreSlim(options.MaxConcurrentTools, options.MaxConcurrentTools);
        _telemetry = RunTelemetry.Start(time, _template.Model, options.RecordContentInTelemetry);
    }

    /// <summary>Gets whether the run was stopped by its deadline.</summary>
    public bool IsPastDeadline => _deadline?.IsCancellationRequested == true;

    /// <summary>Gets the run's token: cancelled when the caller cancels or stops reading.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>
    /// The run's events, in order, numbered as they are delivered. Failures become a <see cref="RunCompleted"/>; only
    /// cancellation throws (and a defect, which <see cref="AgentRunEvents"/> turns into a failed ending). However it
    /// ends — completed, failed, cancelled, or left by the consumer — the model stream and every tool have stopped
    /// before the enumeration does.
    /// </summary>
    public async IAsyncEnumerable<AgentEvent> EventsAsync()
    {
        try
        {
            for (_turn = 1; _turn <= _options.MaxTurns; _turn++)
            {
                Token.ThrowIfCancellationRequested(); // a deadline already past ends the run before it calls the model
                if (_turn > 1 && _tokenBudget is { } budget && TokensUsed >= budget)
                {
                    _turn--; // the turn that would have started does not count
                    yield return Stamp(Completion(AgentRunOutcome.TokenBudgetExceeded));
                    yield break;
                }

                Message? message = null;
                TurnTools tools = null!;
                for (int attempt = 1; message is null; attempt++)
                {
                    yield return Stamp(new TurnStarted { Attempt = attempt });
                    tools = _turnTools = new TurnTools(this);
                    TurnStream stream = _stream = new TurnStream(this, tools, _template with { Messages = [.. _conversation] });
                    while (await stream.NextAsync().ConfigureAwait(false) is { } streamed)
                    {
                        _streaming = stream; // while we wait here, the enumerator may pull the next events itself
                        yield return Stamp(streamed, stream.CameWithPrevious);
                        _streaming = null;
                    }

                    await stream.DisposeAsync().ConfigureAwait(false);
                    _stream = null;
                    if (stream.Failure is not { } failure)
                    {
                        message = stream.Message;
                        break;
                    }

                    _totalUsage += stream.FailedUsage ?? new Usage(); // a failed attempt's tokens count towards the budget too

                    // The client's rule decides here too; and failures before any event were the client's to retry.
                    bool retry = stream.HasEvents && attempt <= _options.MaxStreamRetries && RetryPolicy.IsRetryable(failure, Token);
                    foreach (AgentEvent discarded in await tools.DiscardAsync(retry ? ToolCallDiscarded.TurnRetryingReason : ToolCallDiscarded.RunFailedReason).ConfigureAwait(false))
                    {
                        yield return Stamp(discarded);
                    }

                    if (!retry)
                    {
                        Log.RunFailed(_logger, _turn, failure);
                        yield return Stamp(Completion(AgentRunOutcome.Failed, AgentError.From(failure)));
                        yield break;
                    }

                    Log.TurnRetrying(_logger, _turn, attempt + 1, failure);
                    if (_telemetry is not null)
                    {
                        RunTelemetry.OnTurnRetry(ModelCallTelemetry.ErrorType(failure));
                    }

                    yield return Stamp(new TurnRetrying { NextAttempt = attempt + 1, Error = AgentError.From(failure) });
                    await Task.Delay(_options.StreamRetryDelay * attempt, _time, Token).ConfigureAwait(false);
                }

                _lastMessage = message;
                _totalUsage += message.Usage;
                yield return Stamp(new TurnCompleted { StopReason = message.StopReason, Usage = message.Usage });

                if (message.StopReason == StopReason.ToolUse)
                {
                    _conversation.Add(MessageParam.Assistant(ToolInputs.WithSendableInputs(message)));
                    _awaitsToolResults = true;
                    tools.StartRemaining(message);
                    while (await tools.NextEventAsync().ConfigureAwait(false) is { } toolEvent)
                    {
                        yield return Stamp(toolEvent);
                    }

                    if (tools.Defect is { } defect)
                    {
                        // A tool failed outright (not with an error result): stop the others, and the run.
                        foreach (AgentEvent discarded in await tools.DiscardAsync(ToolCallDiscarded.RunFailedReason).ConfigureAwait(false))
                        {
                            yield return Stamp(discarded);
                        }

                        Log.RunFailed(_logger, _turn, defect);
                        yield return Stamp(Completion(AgentRunOutcome.Failed, new AgentError { Type = AgentError.InternalType, Message = defect.Message }));
                        yield break;
                    }

                    _conversation.Add(MessageParam.User(tools.CollectResults()));
                    _awaitsToolResults = false;
                    _turnTools = null;
                    if (_consecutiveToolErrors >= _options.MaxConsecutiveToolErrors)
                    {
                        yield return Stamp(Completion(AgentRunOutcome.ToolErrorLimit, new AgentError
                        {
                            Type = AgentError.ToolErrorLimitType,
                            Message = $"Tools failed {_consecutiveToolErrors} times in a row (AgentRunnerOptions.MaxConsecutiveToolErrors is {_options.MaxConsecutiveToolErrors}).",
                        }));
                        yield break;
                    }

                    continue;
                }

                // Any other ending: tools started early are not wanted, and a cut-off tool call is never executed.
                foreach (AgentEvent discarded in await tools.DiscardAsync(ToolCallDiscarded.NotRequestedReason).ConfigureAwait(false))
                {
                    yield return Stamp(discarded);
                }

                _turnTools = null;
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

                    yield return Stamp(Completion(message.StopReason == StopReason.MaxTokens ? AgentRunOutcome.MaxTokens : AgentRunOutcome.ContextWindowExceeded));
                    yield break;
                }

                if (message.StopReason == StopReason.Refusal)
                {
                    // Anthropic docs: a refused turn must not be sent back; the conversation ends at the turn that caused it.
                    yield return Stamp(Completion(AgentRunOutcome.Refused));
                    yield break;
                }

                _conversation.Add(MessageParam.Assistant(ToolInputs.WithSendableInputs(message)));
                yield return Stamp(Completion(AgentRunOutcome.Completed));
                yield break;
            }

            _turn = _options.MaxTurns;
            yield return Stamp(Completion(AgentRunOutcome.MaxTurns));
        }
        finally
        {
            // Completed, failed, cancelled or left by its consumer: stop the model stream and every tool, and wait.
            await _cancellation.CancelAsync().ConfigureAwait(false);
            if (_stream is { } stream)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            if (_turnTools is { } tools)
            {
                await tools.DiscardAsync(reason: null).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The next event of the model stream, without resuming <see cref="EventsAsync"/>, when it is at hand: the run is
    /// streaming a message and the step completes synchronously with an event (a buffered text delta, say). This keeps
    /// the async iterator's machinery off the common path. Anything else (a step still under way, the message's end, a
    /// failure, cancellation) is handed over to the stream, where the iterator, resumed next, takes it: it alone ends
    /// turns and runs.
    /// </summary>
    public bool TryNextStreamed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AgentEvent? agentEvent)
    {
        if (_streaming is { } stream && stream.TryNextBuffered(out AgentEvent? produced))
        {
            agentEvent = Stamp(produced, stream.CameWithPrevious);
            return true;
        }

        agentEvent = null;
        return false; // whatever else happened (a cancellation too) waits in the stream for the iterator's next step
    }

    /// <summary>The ending of a run stopped by a defect, after <see cref="EventsAsync"/> has cleaned up.</summary>
    public RunCompleted DefectEnding(Exception defect)
    {
        Log.RunFailed(_logger, _turn, defect);
        return Stamp(Completion(AgentRunOutcome.Failed, new AgentError { Type = AgentError.InternalType, Message = defect.Message }));
    }

    /// <summary>The ending of a run stopped by its deadline, after <see cref="EventsAsync"/> has cleaned up.</summary>
    public RunCompleted DeadlineEnding()
    {
        if (_awaitsToolResults)
        {
            _conversation.RemoveAt(_conversation.Count - 1); // tool calls without results cannot be sent back
        }

        return Stamp(Completion(AgentRunOutcome.DeadlineExceeded));
    }

    /// <summary>
    /// Releases the run's resources, its service scope included; call after the enumeration ended (no tool is running
    /// then).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _telemetry?.End(ending: null); // no ending was stamped: cancelled, or left by its consumer
        _cancellation.Dispose();
        _deadline?.Dispose();
        _toolSlots.Dispose();
        _aloneGate.Dispose();
        try
        {
            await _scope.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            // A scoped service failed to dispose: the run has ended, and its consumer has its ending; the host's log says so.
            Log.ScopeDisposalFailed(_logger, failure);
        }
    }

    /// <summary>Gets every token the run has used: input (cached too) and output.</summary>
    private long TokensUsed => (long)_totalUsage.InputTokens + (_totalUsage.CacheCreationInputTokens ?? 0) + (_totalUsage.CacheReadInputTokens ?? 0) + _totalUsage.OutputTokens;

    private RunCompleted Completion(AgentRunOutcome outcome, AgentError? error = null) => new()
    {
        Outcome = outcome,
        Conversation = [.. _conversation],
        FinalMessage = _lastMessage,
        FinalText = _lastMessage?.GetText(),
        StopDetails = _lastMessage?.StopDetails,
        TotalUsage = _totalUsage,
        TurnCount = _turn,
        Error = error,
    };

    /// <summary>Numbers and stamps an event as it is delivered: sequence order is delivery order.</summary>
    private T Stamp<T>(T agentEvent, bool cameWithPrevious = false)
        where T : AgentEvent
    {
        agentEvent.Sequence = ++_sequence;
        agentEvent.Timestamp = Now(cameWithPrevious);
        agentEvent.Turn = _turn;
        if (_telemetry is not null && agentEvent is RunCompleted ending)
        {
            _telemetry.End(ending);
        }

        return agentEvent;
    }

    /// <summary>
    /// The time for an event's stamp. On the system clock it is read once per tick of <see cref="CoarseClock"/>, and not
    /// at all for a model event that came in the same read of the response as the event before it
    /// (<paramref name="cameWithPrevious"/>): it had arrived when that one was stamped, so it takes the same stamp. A
    /// burst of events from one read costs one clock read (~5 ns each saved: 5% of the runner's time on a buffered
    /// text stream). Any other clock (a fake one in tests) is read every time.
    /// </summary>
    private DateTimeOffset Now(bool cameWithPrevious)
    {
        if (!CoarseClock.IsCoarse(_time))
        {
            return _time.GetUtcNow();
        }

        if (cameWithPrevious)
        {
            return _clockNow; // the previous event's stamp
        }

        long tick = CoarseClock.GetTimestamp(_time);
        if (tick != _clockTick)
        {
            _clockTick = tick;
            _clockNow = _time.GetUtcNow();
        }

        return _clockNow;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Turn {Turn} failed mid-stream; starting attempt {Attempt}.")]
        public static partial void TurnRetrying(ILogger logger, int turn, int attempt, Exception exception);

        [LoggerMessage(2, LogLevel.Error, "Agent run failed in turn {Turn}.")]
        public static partial void RunFailed(ILogger logger, int turn, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Tool {ToolName} failed.")]
        public static partial void ToolFailed(ILogger logger, string toolName, Exception exception);

        [LoggerMessage(4, LogLevel.Error, "A service of the agent run's scope failed to dispose.")]
        public static partial void ScopeDisposalFailed(ILogger logger, Exception exception);
    }
}
