using StreamingAgents.Events;

namespace StreamingAgents.Http;

/// <summary>A stream stopped making progress for longer than a configured timeout.</summary>
public abstract class StreamTimeoutException : AnthropicStreamException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What timed out.</param>
    /// <param name="timeout">The timeout that elapsed.</param>
    /// <param name="innerException">The cancellation that ended the read.</param>
    protected StreamTimeoutException(string message, TimeSpan timeout, Exception? innerException)
        : base(message, eventType: null, innerException)
    {
        Timeout = timeout;
    }

    /// <summary>Gets the timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }
}
