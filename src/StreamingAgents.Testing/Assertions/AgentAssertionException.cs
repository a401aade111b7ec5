namespace StreamingAgents.Testing.Assertions;

/// <summary>An assertion of <see cref="AgentRunTrace"/> failed; the message says what differs and lists the run.</summary>
public sealed class AgentAssertionException : Exception
{
    /// <summary>Initializes the exception.</summary>
    public AgentAssertionException()
    {
    }

    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What failed.</param>
    public AgentAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public AgentAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
