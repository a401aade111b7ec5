using System.Threading.Channels;

namespace StreamingAgents.Agents;

/// <summary>
/// The events of tools running concurrently with the run, on their way to its consumer (the model's own events need
/// no queue: the consumer pulls them). Bounded: tools wait to report completion when
/// <see cref="AgentRunnerOptions.MaxBufferedEvents"/> are waiting (concurrent tools may each add one more), and status
/// reports, which cannot wait, are coalesced by the runner while there is no room. Nothing else is dropped.
/// </summary>
internal sealed class ToolEventQueue(int capacity)
{
    private readonly Channel<AgentEvent> _channel = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _room;

    /// <summary>Gets whether events are waiting to be read.</summary>
    public bool HasEvents => Volatile.Read(ref _count) > 0;

    /// <summary>Gets whether an event can be added without passing the limit.</summary>
    public bool HasRoom => Volatile.Read(ref _count) < capacity;

    /// <summary>Adds an event (from a tool task).</summary>
    public void Write(AgentEvent agentEvent)
    {
        Interlocked.Increment(ref _count);
        _channel.Writer.TryWrite(agentEvent);
    }

    /// <summary>Completes at once while there is room, otherwise when the consumer has made some.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        HasRoom ? default : WaitForRoomSlowAsync(cancellationToken);

    /// <summary>Takes the next event, if one is waiting; each taken makes room for another.</summary>
    public bool TryRead(out AgentEvent agentEvent)
    {
        if (!_channel.Reader.TryRead(out agentEvent!))
        {
            return false;
        }

        if (Interlocked.Decrement(ref _count) == capacity - 1)
        {
            // Crossing below the limit: wake the waiting tools (under the lock, so no wake-up is lost).
            lock (_lock)
            {
                _room?.TrySetResult();
                _room = null;
            }
        }

        return true;
    }

    /// <summary>Completes when an event is waiting.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    private async ValueTask WaitForRoomSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_lock)
            {
                if (_count < capacity)
                {
                    return;
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
