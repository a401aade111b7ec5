using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StreamingAgents.Agents;

/// <summary>
/// The events of a run on their way to its consumer, bounded: producers wait for room when
/// <see cref="AgentRunnerOptions.MaxBufferedEvents"/> are already waiting (concurrent producers may each add one more).
/// Nothing is dropped here; tool status reports, which cannot wait, are coalesced by the runner while there is no room.
/// </summary>
internal sealed class AgentEventBuffer(int capacity)
{
    private readonly Channel<AgentEvent> _channel = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _room;

    /// <summary>Adds an event; callers serialize writes so that order is sequence order.</summary>
    public void Write(AgentEvent agentEvent)
    {
        Interlocked.Increment(ref _count);
        _channel.Writer.TryWrite(agentEvent);
    }

    /// <summary>Gets whether an event can be added without passing the limit.</summary>
    public bool HasRoom => Volatile.Read(ref _count) < capacity;

    /// <summary>Completes at once while there is room, otherwise when the consumer has made some.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        HasRoom ? default : WaitForRoomSlowAsync(cancellationToken);

    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>The consumer's side: each event read makes room for another.</summary>
    public async IAsyncEnumerable<AgentEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (AgentEvent agentEvent in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Interlocked.Decrement(ref _count) == capacity - 1)
            {
                // Crossing below the limit: wake the waiting producers (under the lock, so no wake-up is lost).
                lock (_lock)
                {
                    _room?.TrySetResult();
                    _room = null;
                }
            }

            yield return agentEvent;
        }
    }

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
