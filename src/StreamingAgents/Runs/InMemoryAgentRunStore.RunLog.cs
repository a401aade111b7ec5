using System.Runtime.InteropServices;
using StreamingAgents.Agents;

namespace StreamingAgents.Runs;

public sealed partial class InMemoryAgentRunStore
{
    /// <summary>One run's bounded log. Readers wait on <see cref="_changed"/>, made only when someone waits.</summary>
    private sealed class RunLog(AgentRunRecord record, InMemoryAgentRunStoreOptions options)
    {
        // The log is _events[_head..]; evicted entries before _head are cleared, and dropped in bulk now and then.
        private readonly List<SerializedAgentEvent?> _events = [];
        private int _head;
        private readonly Lock _lock = new();
        private long _bytes;
        private long _oldest = 1;
        private long _last;
        private TaskCompletionSource? _changed;

        public AgentRunRecord Record { get; private set; } = record;

        public TaskCompletionSource CancellationRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Gets the answers to the run's tool calls, for the manager running it (it reads them while the run lives).</summary>
        public System.Threading.Channels.Channel<ToolCallCommand> Commands { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<ToolCallCommand>(new() { SingleReader = true });

        public ITimer? ExpiryTimer { get; set; }

        public void Append(SerializedAgentEvent agentEvent)
        {
            TaskCompletionSource? changed;
            lock (_lock)
            {
                if (Record.IsCompleted)
                {
                    throw new InvalidOperationException($"Agent run '{Record.RunId}' has completed; nothing can be appended.");
                }

                if (agentEvent.Sequence == _last && _last >= _oldest && _events[^1]!.Utf8Json.Span.SequenceEqual(agentEvent.Utf8Json.Span))
                {
                    return; // the last event again: a retry whose first attempt was taken
                }

                if (agentEvent.Sequence != _last + 1)
                {
                    throw new ArgumentException($"Agent run '{Record.RunId}' expects event {_last + 1}, not {agentEvent.Sequence}.", nameof(agentEvent));
                }

                _events.Add(agentEvent);
                _last = agentEvent.Sequence;
                _bytes += agentEvent.Utf8Json.Length;
                while (_last - _oldest + 1 > 1 && (_last - _oldest + 1 > options.MaxEventsPerRun || _bytes > options.MaxBytesPerRun))
                {
                    _bytes -= _events[_head]!.Utf8Json.Length;
                    _events[_head++] = null;
                    _oldest++;
                }

                if (_head > 1024 && _head > _events.Count / 2)
                {
                    _events.RemoveRange(0, _head);
                    _head = 0;
                }

                changed = _changed;
                _changed = null;
            }

            changed?.TrySetResult();
        }

        /// <summary>Marks the run complete; false when it already was.</summary>
        public bool Complete()
        {
            TaskCompletionSource? changed;
            lock (_lock)
            {
                if (Record.IsCompleted)
                {
                    return false;
                }

                Record = Record with { IsCompleted = true };
                changed = _changed;
                _changed = null;
            }

            changed?.TrySetResult();
            Commands.Writer.TryComplete(); // no call waits for an answer any more
            return true;
        }

        /// <summary>
        /// Copies the events from <paramref name="next"/> on into <paramref name="batch"/>. When there are none, returns
        /// a task that completes on the next change, or null when the run has completed.
        /// </summary>
        public Task? ReadFrom(long next, List<SerializedAgentEvent> batch)
        {
            lock (_lock)
            {
                if (next < _oldest)
                {
                    throw new AgentRunGapException(Record.RunId, next, _oldest);
                }

                if (next <= _last)
                {
                    foreach (SerializedAgentEvent? agentEvent in CollectionsMarshal.AsSpan(_events)[(_head + (int)(next - _oldest))..])
                    {
                        batch.Add(agentEvent!);
                    }

                    return Task.CompletedTask;
                }

                if (Record.IsCompleted)
                {
                    return null;
                }

                _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _changed.Task;
            }
        }
    }
}
