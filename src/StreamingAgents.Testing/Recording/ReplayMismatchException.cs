namespace StreamingAgents.Testing.Recording;

/// <summary>
/// A request did not match the recording a <see cref="ReplayHandler"/> serves: the code under test asked something
/// else than when it was recorded. The message names the exchange file and the first difference.
/// </summary>
public sealed class ReplayMismatchException : InvalidOperationException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">The message, naming the exchange and the difference.</param>
    public ReplayMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception.</summary>
    public ReplayMismatchException()
    {
    }

    /// <summary>Initializes the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ReplayMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
