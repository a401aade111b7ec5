using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>
/// The stream ended before <c>message_stop</c>: the connection closed early. Every event received was delivered
/// before this is thrown; <see cref="PartialMessage"/> holds the message so far when it was being accumulated.
/// </summary>
public sealed class StreamTruncatedException : AnthropicStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="eventCount">How many events arrived.</param>
    /// <param name="lastEventType">The type of the last event, if any.</param>
    /// <param name="partialMessage">The message accumulated so far, if known.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public StreamTruncatedException(int eventCount, string? lastEventType, Message? partialMessage = null, Exception? innerException = null)
        : base(
            $"The Messages API stream ended after {eventCount} event(s) without 'message_stop'" +
            (lastEventType is null ? "." : $" (last event: '{lastEventType}')."),
            lastEventType,
            innerException)
    {
        EventCount = eventCount;
        PartialMessage = partialMessage;
    }

    /// <summary>Gets how many events arrived before the stream ended.</summary>
    public int EventCount { get; }

    /// <summary>Gets the message accumulated so far, when the stream was being accumulated.</summary>
    public Message? PartialMessage { get; }
}
