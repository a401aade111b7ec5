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
        IAsyncEnumerator<StreamEvent> enumerator = events.GetAsyncEnumerator(cancellationToken);
        try
        {
            // The client's stream hands text deltas over without making their event objects, as it does to the runner.
            ITextDeltaSource? texts = enumerator as ITextDeltaSource;
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                count++;
                if (texts is not null && texts.TryGetCurrentText(out int blockIndex, out string? text))
                {
                    accumulator.AddText(blockIndex, text);
                    lastType = ContentBlockDeltaEvent.WireType;
                    continue;
                }

                StreamEvent streamEvent = enumerator.Current;
                accumulator.Add(streamEvent);
                lastType = streamEvent.Type;
            }
        }
        catch (StreamTruncatedException truncated) when (truncated.PartialMessage is null && accumulator.HasStarted)
        {
            accumulator.Dispose(); // freezes cut-off blocks
            throw new StreamTruncatedException(truncated.EventCount, truncated.EventType, accumulator.Message, truncated);
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        if (accumulator.IsComplete)
        {
            return accumulator.Message;
        }

        accumulator.Dispose();
        throw new StreamTruncatedException(count, lastType, accumulator.HasStarted ? accumulator.Message : null);
    }
}
