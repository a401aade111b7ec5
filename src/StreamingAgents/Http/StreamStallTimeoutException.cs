namespace StreamingAgents.Http;

/// <summary>
/// The stream stayed alive (pings kept arriving) but produced no content for
/// <see cref="AnthropicClientOptions.StallTimeout"/>.
/// </summary>
public sealed class StreamStallTimeoutException : StreamTimeoutException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeout">The stall timeout that elapsed.</param>
    /// <param name="innerException">The cancellation that ended the read.</param>
    public StreamStallTimeoutException(TimeSpan timeout, Exception? innerException = null)
        : base($"The Messages API stream produced no content for {timeout.TotalSeconds:0.###} s, only keep-alives (AnthropicClientOptions.StallTimeout).", timeout, innerException)
    {
    }
}
