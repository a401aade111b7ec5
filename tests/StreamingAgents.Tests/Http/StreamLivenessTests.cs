using StreamingAgents.Http;

namespace StreamingAgents.Tests.Http;

public sealed class StreamLivenessTests
{
    [Fact]
    public void TimerCallback_AfterDispose_DoesNotThrow()
    {
        var time = new CapturingTimeProvider();
        var liveness = new StreamLiveness(time, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan, CancellationToken.None);
        liveness.BeginWait();
        time.Advance(TimeSpan.FromSeconds(11));

        liveness.Dispose();
        Exception? thrown = Record.Exception(time.FireTimer); // a callback already under way when Dispose ran

        Assert.Null(thrown);
    }

    [Fact]
    public void TimerCallback_WhileTheCallerHoldsAnEvent_DoesNotTimeOut()
    {
        var time = new CapturingTimeProvider();
        using var liveness = new StreamLiveness(time, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), CancellationToken.None);
        liveness.BeginWait();
        time.Advance(TimeSpan.FromSeconds(1));
        liveness.EndWait(contentArrived: false);
        time.Advance(TimeSpan.FromMinutes(5)); // the caller's time, not the server's

        time.FireTimer();

        Assert.False(liveness.HasTimedOut);
        Assert.False(liveness.Token.IsCancellationRequested);
    }

    [Fact]
    public void BeginWait_WhileAlreadyWaiting_KeepsTheIdleClockRunning()
    {
        var time = new CapturingTimeProvider();
        using var liveness = new StreamLiveness(time, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan, CancellationToken.None);
        liveness.BeginWait();
        time.Advance(TimeSpan.FromSeconds(6));
        liveness.BeginWait(); // a second read for the same event: still the same wait, and no byte came
        time.Advance(TimeSpan.FromSeconds(5));

        time.FireTimer();

        Assert.True(liveness.HasTimedOut);
    }

    [Fact]
    public void EndWait_PingsThatWereAlreadyBuffered_TakeNothingFromTheStallClock()
    {
        var time = new CapturingTimeProvider();
        using var liveness = new StreamLiveness(time, Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(20), CancellationToken.None);
        liveness.BeginWait();
        time.Advance(TimeSpan.FromSeconds(15));
        liveness.EndWait(contentArrived: false); // a ping after 15 s of waiting: 5 s of the stall clock are left
        for (int i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30)); // the caller holds the ping, then reads the next one from the buffer
            liveness.EndWait(contentArrived: false);
        }

        liveness.BeginWait();
        time.Advance(TimeSpan.FromSeconds(4));
        time.FireTimer();
        Assert.False(liveness.HasTimedOut);

        time.Advance(TimeSpan.FromSeconds(2));
        time.FireTimer();
        Assert.True(liveness.HasTimedOut);
    }

    /// <summary>A clock whose one timer fires only when the test says so.</summary>
    private sealed class CapturingTimeProvider : TimeProvider
    {
        private long _now = 1_000_000;
        private TimerCallback? _callback;
        private object? _state;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += by.Ticks;

        public void FireTimer() => _callback!(_state);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _callback = callback;
            _state = state;
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }
}
