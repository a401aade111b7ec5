using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>Aggregates a stream of events into the message it describes.</summary>
public static class StreamEventExtensions
{
    /// <summary>Reads the whole stream and returns the final message, as the non-streaming API would.</summary>
    /// <param name="events">The events of one message.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The complete message.</returns>
    /// <exception cref="StreamTruncatedException">
    /// The stream ended before <c>message_stop</c>; <see cref="StreamTruncatedException.PartialMessage"/> holds what
    /// arrived.
    /// </exception>
    public static async Task<Message> ToMessageAsync(this IAsyncEnumerable<StreamEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var accumulator = new MessageAccumulator();
        int count = 0;
        string? lastType = null;
        try
        {
            await foreach (StreamEvent streamEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                accumulator.Add(streamEvent);
                count++;
                lastType = streamEvent.Type;
            }
        }
        catch (StreamTruncatedException truncated) when (truncated.PartialMessage is null && accumulator.HasStarted)
        {
            accumulator.Dispose(); // freezes cut-off blocks
            throw new StreamTruncatedException(truncated.EventCount, truncated.EventType, accumulator.Message, truncated);
        }

        if (accumulator.IsComplete)
        {
            return accumulator.Message;
        }

        accumulator.Dispose();
        throw new StreamTruncatedException(count, lastType, accumulator.HasStarted ? accumulator.Message : null);
    }
}
