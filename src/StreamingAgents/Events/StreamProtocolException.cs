namespace StreamingAgents.Events;

/// <summary>
/// Events arrived that the streaming protocol does not allow: a delta for a block that never started, a second
/// <c>message_start</c>, a delta whose type does not fit its block, or event data that is not valid JSON.
/// </summary>
public sealed class StreamProtocolException : AnthropicStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="eventType">The type of the offending event.</param>
    /// <param name="index">The content block index involved, if any.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public StreamProtocolException(string message, string? eventType, int? index = null, Exception? innerException = null)
        : base(message, eventType, innerException)
    {
        Index = index;
    }

    /// <summary>Gets the content block index involved, if any.</summary>
    public int? Index { get; }
}
