namespace StreamingAgents.Events;

/// <summary>A Messages API stream that could not be understood: malformed event data or a protocol violation.</summary>
public class AnthropicStreamException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was wrong and where.</param>
    /// <param name="eventType">The type of the event at fault, if any.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public AnthropicStreamException(string message, string? eventType = null, Exception? innerException = null)
        : base(message, innerException)
    {
        EventType = eventType;
    }

    /// <summary>Gets the type of the event at fault, or <see langword="null"/> when no single event is.</summary>
    public string? EventType { get; }
}
