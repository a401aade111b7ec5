using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace StreamingAgents.Benchmarks.Latency;

/// <summary>
/// The hand-off between a benchmark that writes one event and the consumer that observes it: a reusable,
/// allocation-free wait (the consumer completes it inline), plus a record of each event's latency as the consumer saw
/// it, from the moment its last byte was made readable, which excludes the wake-up of the waiting benchmark thread.
/// </summary>
internal sealed class LatencyProbe : IValueTaskSource
{
    private const int MaxSamples = 1 << 20;

    private readonly long[] _samples = new long[MaxSamples];
    private ManualResetValueTaskSourceCore<bool> _core;
    private long _count;
    private long _lastByteAt;
    private int _armed;
    private Exception? _failure;

    /// <summary>Starts waiting for the next observation; call before writing the event's first byte.</summary>
    /// <exception cref="InvalidOperationException">The consumer has failed or ended.</exception>
    public ValueTask Arm()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException("The consumer stopped.", failure);
        }

        _core.Reset();
        Volatile.Write(ref _armed, 1);
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Stamps the moment the event's last byte becomes readable; call just before writing it.</summary>
    public void LastByteNow() => Volatile.Write(ref _lastByteAt, Stopwatch.GetTimestamp());

    /// <summary>The consumer has seen the awaited item; ignored when nothing waits.</summary>
    public void Observed()
    {
        long now = Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _samples[_count++ & (MaxSamples - 1)] = now - Volatile.Read(ref _lastByteAt);
            _core.SetResult(true);
        }
    }

    /// <summary>The consumer failed or ended: the pending wait, and every later one, fails.</summary>
    public void Fail(Exception exception)
    {
        Volatile.Write(ref _failure, exception);
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _core.SetException(exception);
        }
    }

    /// <summary>The median, 90th and 99th percentile of the recorded latencies, in microseconds.</summary>
    public string Describe()
    {
        int n = (int)Math.Min(_count, MaxSamples);
        if (n == 0)
        {
            return "no events observed";
        }

        long[] sorted = _samples[..n];
        Array.Sort(sorted);
        double Micros(double quantile) => sorted[(int)Math.Min(n - 1, quantile * n)] * 1_000_000.0 / Stopwatch.Frequency;
        return $"median {Micros(0.5):0.0} µs, p90 {Micros(0.9):0.0} µs, p99 {Micros(0.99):0.0} µs over the last {n:N0} of {_count:N0} events";
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
