using Microsoft.Extensions.Logging;

namespace StreamingAgents.Diagnostics;

/// <summary>
/// A logger whose failures stay inside it. A logging provider that throws (a full disk, a broken sink) must not
/// turn into a failed stream or a run that never ends: Microsoft.Extensions.Logging rethrows provider exceptions.
/// </summary>
internal sealed class NonThrowingLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception)
        {
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // Dropped: the log line is lost, not the run.
        }
    }
}
