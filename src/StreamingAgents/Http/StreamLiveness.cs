using StreamingAgents.Events;

namespace StreamingAgents.Http;

/// <summary>
/// The two liveness timers of one response. The idle timer restarts on every byte received, so pings keep it
/// alive; the stall timer restarts only on content events, so a stream of nothing but pings still stalls. Both
/// cancel <see cref="Token"/>, which every read and the request itself observe.
/// </summary>
internal sealed class StreamLiveness : IDisposable
{
    private readonly CancellationTokenSource _idle;
    private readonly CancellationTokenSource _stall;
    private readonly CancellationTokenSource _linked;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _stallTimeout;
    private readonly CancellationToken _callerToken;

    public StreamLiveness(TimeProvider timeProvider, TimeSpan idleTimeout, TimeSpan stallTimeout, CancellationToken callerToken)
    {
        _idleTimeout = idleTimeout;
        _stallTimeout = stallTimeout;
        _callerToken = callerToken;
        _idle = new CancellationTokenSource(idleTimeout, timeProvider);
        _stall = new CancellationTokenSource(stallTimeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _idle.Token, _stall.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void OnBytesReceived()
    {
        if (_idleTimeout != Timeout.InfiniteTimeSpan && !_idle.IsCancellationRequested)
        {
            _idle.CancelAfter(_idleTimeout);
        }
    }

    public void OnEvent(StreamEvent streamEvent)
    {
        if (streamEvent is not PingEvent && _stallTimeout != Timeout.InfiniteTimeSpan && !_stall.IsCancellationRequested)
        {
            _stall.CancelAfter(_stallTimeout);
        }
    }

    /// <summary>Gets whether a liveness timer, not the caller, cancelled the token.</summary>
    public bool HasTimedOut => !_callerToken.IsCancellationRequested && (_idle.IsCancellationRequested || _stall.IsCancellationRequested);

    public StreamTimeoutException CreateTimeoutException(Exception cancellation) =>
        _idle.IsCancellationRequested
            ? new StreamIdleTimeoutException(_idleTimeout, cancellation)
            : new StreamStallTimeoutException(_stallTimeout, cancellation);

    public void Dispose()
    {
        _linked.Dispose();
        _idle.Dispose();
        _stall.Dispose();
    }
}
