namespace StreamingAgents.Http;

/// <summary>
/// The two liveness timeouts of one response, counting only time spent waiting for the server: from the request
/// until the first event, and from each read of the body for the next event until it arrives. Time the caller spends
/// holding an event, or reading events already buffered, is not counted. The idle clock restarts on every byte
/// received (pings keep it alive); the stall clock restarts only on content events, so a stream of nothing but pings
/// still stalls. When one runs out, <see cref="Token"/> is cancelled; every read and the request itself observe it.
/// </summary>
/// <remarks>
/// One timer serves both clocks and is not moved on every event: when it fires early (bytes arrived, or the caller
/// held an event meanwhile) it re-arms itself for what is left. So an event already buffered costs a few plain writes;
/// a wait (a read of the body) one or two clock reads and an uncontended lock, which the timer's callback (about once
/// per timeout) and a ping's end of a wait take too. The callback may read the clocks a moment stale, which can move a
/// timeout by that moment, never cause one on a live stream. The clocks are read with
/// <see cref="Diagnostics.CoarseClock"/>: timeouts are seconds.
/// </remarks>
internal sealed class StreamLiveness : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _stallTimeout;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _expired = new();
    private readonly CancellationTokenSource _linked;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();

    private bool _isDisposed;
    private bool _isWaiting;
    private bool _isArmed;
    private long _waitStart;
    private long _lastByte;
    private long _stallLeftTicks;
    private StreamTimeoutKind _timedOut;

    public StreamLiveness(TimeProvider timeProvider, TimeSpan idleTimeout, TimeSpan stallTimeout, CancellationToken callerToken)
    {
        _time = timeProvider;
        _idleTimeout = idleTimeout;
        _stallTimeout = stallTimeout;
        _stallLeftTicks = stallTimeout.Ticks;
        _callerToken = callerToken;
        _linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _expired.Token);
        if (idleTimeout != Timeout.InfiniteTimeSpan || stallTimeout != Timeout.InfiniteTimeSpan)
        {
            _timer = timeProvider.CreateTimer(static state => ((StreamLiveness)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private enum StreamTimeoutKind
    {
        None,
        Idle,
        Stall,
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Gets whether a liveness timeout, not the caller, cancelled the token.</summary>
    public bool HasTimedOut => !_callerToken.IsCancellationRequested && _timedOut != StreamTimeoutKind.None;

    /// <summary>
    /// The caller waits for the server: it sends the request, or reads the body because the next event is not buffered
    /// yet. A wait under way goes on: the reads for one event, and the first event after the request's headers, are one
    /// wait. An event that was already buffered ends a wait that never began, and costs no clock read.
    /// </summary>
    public void BeginWait()
    {
        if (_timer is null || _isWaiting)
        {
            return;
        }

        long now = Now();
        Volatile.Write(ref _waitStart, now);
        Volatile.Write(ref _lastByte, now); // before the flag: the timer must not see a wait with the last one's clock
        Volatile.Write(ref _isWaiting, true);

        // Under the lock, which the timer holds while it disarms and looks for a wait: either it sees this wait and
        // re-arms, or this sees it disarmed and arms. (Once per wait, not per event, so the lock costs nothing.)
        lock (_lock)
        {
            if (!_isArmed)
            {
                Arm(now);
            }
        }
    }

    /// <summary>Bytes arrived: the idle clock starts again (the timer catches up when it next fires).</summary>
    public void OnBytesReceived()
    {
        if (_timer is not null)
        {
            Volatile.Write(ref _lastByte, Now());
        }
    }

    /// <summary>The wait ended; content (any event but a <c>ping</c>) restarts the stall clock.</summary>
    public void EndWait(bool contentArrived)
    {
        if (_timer is null)
        {
            return;
        }

        // A content event restarts the stall clock, the common case, which needs no clock read; a ping takes the time
        // its wait took, if there was one.
        if (contentArrived)
        {
            _stallLeftTicks = _stallTimeout.Ticks; // a timer reading this with the old wait's start only fires later
        }
        else if (_isWaiting)
        {
            lock (_lock)
            {
                // With the lock, the timer cannot take the wait's time from what is left a second time.
                _stallLeftTicks -= _time.GetElapsedTime(_waitStart, Now()).Ticks;
                Volatile.Write(ref _isWaiting, false);
            }

            return;
        }

        Volatile.Write(ref _isWaiting, false);
    }

    public StreamTimeoutException CreateTimeoutException(Exception cancellation) =>
        _timedOut == StreamTimeoutKind.Idle
            ? new StreamIdleTimeoutException(_idleTimeout, cancellation)
            : new StreamStallTimeoutException(_stallTimeout, cancellation);

    public void Dispose()
    {
        lock (_lock)
        {
            _isDisposed = true; // a timer callback already under way must not cancel a disposed source
        }

        _timer?.Dispose();
        _linked.Dispose();
        _expired.Dispose();
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            _isArmed = false;
            if (_isDisposed || !Volatile.Read(ref _isWaiting) || _timedOut != StreamTimeoutKind.None)
            {
                return; // the caller holds an event: the clocks are stopped, and the next wait re-arms
            }

            long now = Now();
            if (IdleLeft(now) <= TimeSpan.Zero)
            {
                _timedOut = StreamTimeoutKind.Idle;
            }
            else if (StallLeft(now) <= TimeSpan.Zero)
            {
                _timedOut = StreamTimeoutKind.Stall;
            }
            else
            {
                Arm(now);
                return;
            }
        }

        // Outside the lock: cancelling runs the reader's continuations. Dispose may have come in between.
        try
        {
            _expired.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The response ended as the timeout fired: nothing is left to cancel.
        }
    }

    private void Arm(long now)
    {
        TimeSpan due = IdleLeft(now) < StallLeft(now) ? IdleLeft(now) : StallLeft(now);
        if (due != TimeSpan.MaxValue)
        {
            Volatile.Write(ref _isArmed, true);
            _timer!.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private long Now() => Diagnostics.CoarseClock.GetTimestamp(_time);

    private TimeSpan IdleLeft(long now) =>
        _idleTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : _idleTimeout - _time.GetElapsedTime(Volatile.Read(ref _lastByte), now);

    private TimeSpan StallLeft(long now) =>
        _stallTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : TimeSpan.FromTicks(Volatile.Read(ref _stallLeftTicks)) - _time.GetElapsedTime(Volatile.Read(ref _waitStart), now);
}
