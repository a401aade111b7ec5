namespace StreamingAgents.Diagnostics;

/// <summary>
/// Timestamps for what needs milliseconds, not nanoseconds (liveness timeouts, event stamps): on the system clock,
/// the coarse monotonic clock (<see cref="Environment.TickCount64"/>, 1–4 ms resolution, ~4 ns a read instead of ~25,
/// which is a tenth of an event's whole cost); any other clock (a fake one in tests) as it is.
/// </summary>
internal static class CoarseClock
{
    private static readonly long TicksPerMillisecond = System.Diagnostics.Stopwatch.Frequency / 1000;

    /// <summary>Gets whether <paramref name="time"/> is read coarsely.</summary>
    public static bool IsCoarse(TimeProvider time) => ReferenceEquals(time, TimeProvider.System);

    /// <summary>A timestamp in <paramref name="time"/>'s units (<see cref="TimeProvider.TimestampFrequency"/>).</summary>
    public static long GetTimestamp(TimeProvider time) =>
        IsCoarse(time) ? Environment.TickCount64 * TicksPerMillisecond : time.GetTimestamp();
}
