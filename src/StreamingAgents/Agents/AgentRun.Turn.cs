using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using StreamingAgents.Diagnostics;
using StreamingAgents.Events;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Agents;

internal sealed partial class AgentRun
{
    /// <summary>
    /// One attempt at a model response, read as the consumer asks: each call pulls stream events until one becomes
    /// an agent event. While tools started early are running, their events are delivered as they come, between the
    /// model's.
    /// </summary>
    private sealed class TurnStream(AgentRun run, TurnTools tools, MessageRequest request) : IAsyncDisposable
    {
        private readonly MessageAccumulator _accumulator = new();
        private readonly Dictionary<int, ToolInputTracker> _inputs = [];
        private IAsyncEnumerator<StreamEvent>? _model;
        private ITextDeltaSource? _texts;
        private IBodyReadCounter? _reads;
        private long _readsAtLastEvent = -1;
        private ValueTask<AgentEvent?>? _handedOver;
        private Task<bool>? _pendingMove;
        private bool _isEnded;

        /// <summary>Gets what ended the attempt, if it failed (it is then retried or ends the run).</summary>
        public Exception? Failure { get; private set; }

        /// <summary>Gets whether any stream event arrived: only then may the runner retry (before, the client does).</summary>
        public bool HasEvents { get; private set; }

        /// <summary>Gets what a failed attempt had used when it failed (billed all the same), if its message had started.</summary>
        public Usage? FailedUsage
        {
            get
            {
                try
                {
                    return HasEvents ? _accumulator.Message.Usage : null;
                }
                catch (InvalidOperationException)
                {
                    return null; // it failed before message_start
                }
            }
        }

        /// <summary>
        /// Gets whether the event just returned is a model event that came in the same read of the response body as
        /// the one returned before it, so it had arrived when that one was stamped (see <see cref="IBodyReadCounter"/>).
        /// </summary>
        public bool CameWithPrevious { get; private set; }

        /// <summary>Gets the message, once <see cref="NextAsync"/> has returned null without a failure.</summary>
        public Message Message => _accumulator.Message;

        /// <summary>The next agent event, or null when the message has ended (or failed: see <see cref="Failure"/>).</summary>
        /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
        public ValueTask<AgentEvent?> NextAsync()
        {
            if (_handedOver is null && TryNextBuffered(out AgentEvent? produced))
            {
                return new ValueTask<AgentEvent?>(produced);
            }

            if (_handedOver is { } handedOver)
            {
                _handedOver = null;
                return handedOver;
            }

            return NextSlowAsync(started: null);
        }

        /// <summary>
        /// The common step, without a state machine or a task: no tool is running, and the next stream event is
        /// buffered and becomes an agent event. False when anything else must happen first (a step that did not complete
        /// at once, or the run's cancellation, is kept for <see cref="NextAsync"/>; the message's end or a failure is
        /// noted for it).
        /// </summary>
        public bool TryNextBuffered([NotNullWhen(true)] out AgentEvent? produced)
        {
            produced = null;
            if (_handedOver is not null || _isEnded || _model is null || _pendingMove is not null || tools.HasWork)
            {
                return false;
            }

            try
            {
                while (true)
                {
                    ValueTask<bool> move = _model.MoveNextAsync();
                    if (!move.IsCompletedSuccessfully)
                    {
                        HandOver(NextSlowAsync(move));
                        return false;
                    }

                    produced = Take(move.Result);
                    if (produced is not null)
                    {
                        return true;
                    }

                    if (_isEnded || tools.HasWork)
                    {
                        return false; // the end, or a tool started early: from now on, its events too
                    }
                }
            }
            catch (Exception exception)
            {
                if (run.Token.IsCancellationRequested)
                {
                    HandOver(ValueTask.FromException<AgentEvent?>(exception)); // rethrown by the run's loop, which cleans up
                }
                else
                {
                    Fail(exception);
                }

                return false;
            }
        }

        /// <summary>
        /// Keeps a next step begun but not finished at once (a stream read still under way, or the cancellation the
        /// common step met): the run's loop takes it with its next <see cref="NextAsync"/>.
        /// </summary>
        private void HandOver(ValueTask<AgentEvent?> next) => _handedOver = next;

        public async ValueTask DisposeAsync()
        {
            if (_pendingMove is { } pending)
            {
                // The run's token is cancelled by now; a move under way must end before the stream may be disposed.
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Cancelled or failed: either way the attempt is over.
                }
            }

            if (_model is { } model)
            {
                try
                {
                    await model.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception) when (run.Token.IsCancellationRequested || Failure is not null)
                {
                    // The connection is already gone.
                }
            }

            foreach (ToolInputTracker input in _inputs.Values)
            {
                input.Dispose();
            }

            _inputs.Clear();
            _accumulator.Dispose();
        }

        /// <summary>The careful way: tool events may come between the model's, or the stream must be awaited.</summary>
        private async ValueTask<AgentEvent?> NextSlowAsync(ValueTask<bool>? started)
        {
            if (_isEnded)
            {
                return null;
            }

            try
            {
                if (started is { } move)
                {
                    AgentEvent? first = Take(await move.ConfigureAwait(false));
                    if (first is not null || _isEnded)
                    {
                        return first;
                    }
                }

                while (true)
                {
                    if (tools.TryReadEvent(out AgentEvent? toolEvent))
                    {
                        (CameWithPrevious, _readsAtLastEvent) = (false, -1); // it happened now
                        return toolEvent;
                    }

                    if (await MoveNextAsync().ConfigureAwait(false) is not { } hasNext)
                    {
                        continue; // a tool event arrived first
                    }

                    AgentEvent? produced = Take(hasNext);
                    if (produced is not null || _isEnded)
                    {
                        return produced;
                    }
                }
            }
            catch (Exception exception) when (!run.Token.IsCancellationRequested)
            {
                return Fail(exception);
            }
        }

        /// <summary>Takes the result of a move: the agent event the stream event became, if any; the end when there is none.</summary>
        private AgentEvent? Take(bool hasNext)
        {
            if (!hasNext)
            {
                _isEnded = true;
                return null;
            }

            HasEvents = true;
            AgentEvent? produced;
            if (_texts is not null && _texts.TryGetCurrentText(out int blockIndex, out string? text))
            {
                _accumulator.AddText(blockIndex, text); // the client's event object is never made
                produced = new TextReceived { Text = text, BlockIndex = blockIndex };
            }
            else
            {
                produced = Apply(_model!.Current);
            }

            if (produced is not null)
            {
                long reads = _reads?.BodyReads ?? -1;
                CameWithPrevious = reads >= 0 && reads == _readsAtLastEvent;
                _readsAtLastEvent = reads;
            }

            return produced;
        }

        private AgentEvent? Fail(Exception exception)
        {
            _isEnded = true;
            Failure = exception;
            return null;
        }

        /// <summary>
        /// Advances the model stream. Without tools running it simply waits for it (no allocation on the common path);
        /// with tools running it also wakes for their events, and returns null when one of those came first.
        /// </summary>
        private async ValueTask<bool?> MoveNextAsync()
        {
            if (_pendingMove is null)
            {
                ValueTask<bool> move;
                if (_model is null)
                {
                    // The model call's span (which starts now) nests under the run's.
                    Activity? parent = run._telemetry?.Activity;
                    IAsyncEnumerator<StreamEvent> model = _model = Telemetry.WithCurrent(parent, () => run._client.StreamAsync(request, run.Token).GetAsyncEnumerator(run.Token));
                    _texts = model as ITextDeltaSource;
                    _reads = model as IBodyReadCounter;
                    move = Telemetry.WithCurrent(parent, model.MoveNextAsync);
                }
                else
                {
                    move = _model.MoveNextAsync();
                }
                if (move.IsCompleted || !tools.HasWork)
                {
                    return await move.ConfigureAwait(false);
                }

                _pendingMove = move.AsTask();
            }

            if (!_pendingMove.IsCompleted)
            {
                await tools.WaitForEventAsync(_pendingMove).ConfigureAwait(false);
                if (!_pendingMove.IsCompleted)
                {
                    return null;
                }
            }

            Task<bool> completed = _pendingMove;
            _pendingMove = null;
            return await completed.ConfigureAwait(false);
        }

        /// <summary>Applies a stream event to the message, and says what the user should see of it.</summary>
        private AgentEvent? Apply(StreamEvent streamEvent)
        {
            _accumulator.Add(streamEvent);
            switch (streamEvent)
            {
                case ContentBlockStartEvent { ContentBlock: ToolUseBlock call } start:
                    _inputs[start.Index] = new ToolInputTracker(call.Id, run._options.MaxInputSnapshotBytes);
                    string? label = run._tools.TryGetTool(call.Name, out AgentTool? tool) ? tool.StatusLabel : null;
                    return tools.Announce(start.Index, call, new ToolCallStarted { ToolCallId = call.Id, ToolName = call.Name, StatusLabel = label, BlockIndex = start.Index });
                case ContentBlockDeltaEvent { Text: { } text } delta:
                    return new TextReceived { Text = text, BlockIndex = delta.Index };
                case ContentBlockDeltaEvent { Delta: ThinkingDelta thinking } delta:
                    return new ThinkingReceived { Thinking = thinking.Thinking, BlockIndex = delta.Index };
                case ContentBlockDeltaEvent { Delta: InputJsonDelta json } delta when _inputs.TryGetValue(delta.Index, out ToolInputTracker? input):
                    return input.Progress(json.PartialJson);
                case ContentBlockStopEvent stop when _inputs.Remove(stop.Index, out ToolInputTracker? input):
                    input.Dispose();
                    return OnToolCallReady((ToolUseBlock)_accumulator.GetContentBlock(stop.Index), stop.Index);
                case PingEvent:
                    return new Heartbeat();
                default:
                    return null;
            }
        }

        /// <summary>
        /// A tool call is whole only at its <c>content_block_stop</c> (Anthropic streaming docs). A read-only tool starts
        /// now, before the message ends; any other waits for <c>stop_reason: tool_use</c>.
        /// </summary>
        private ToolCallReady OnToolCallReady(ToolUseBlock call, int blockIndex)
        {
            if (run._telemetry is not null)
            {
                tools.MarkReady(blockIndex, run._time.GetTimestamp());
            }

            if (call.InputStatus == ToolInputStatus.Complete && run._tools.TryGetTool(call.Name, out AgentTool? tool) && tool.IsReadOnly)
            {
                tools.Start(blockIndex, call, isEager: true);
            }

            return new ToolCallReady { ToolCallId = call.Id, ToolName = call.Name, Input = call.Input, InputStatus = call.InputStatus };
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
