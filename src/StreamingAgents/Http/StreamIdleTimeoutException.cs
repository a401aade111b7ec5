namespace StreamingAgents.Http;

/// <summary>
/// No byte at all arrived (not even a <c>ping</c>) for <see cref="AnthropicClientOptions.IdleTimeout"/>: the
/// connection is likely dead.
/// </summary>
public sealed class StreamIdleTimeoutException : StreamTimeoutException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeout">The idle timeout that elapsed.</param>
    /// <param name="innerException">The cancellation that ended the read.</param>
    public StreamIdleTimeoutException(TimeSpan timeout, Exception? innerException = null)
        : base($"The Messages API stream received no data for {timeout.TotalSeconds:0.###} s (AnthropicClientOptions.IdleTimeout).", timeout, innerException)
    {
    }
}
