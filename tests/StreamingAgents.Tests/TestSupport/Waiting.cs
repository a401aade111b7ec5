using Microsoft.Extensions.Time.Testing;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>Waiting for conditions in real time, always with a bound.</summary>
internal static class Waiting
{
    /// <summary>A generous real-time guard: a regression fails the test instead of hanging it.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Advances fake time in steps until <paramref name="task"/> finishes or <paramref name="maxSimulated"/> has
    /// passed, letting continuations run between steps. Does not await the task.
    /// </summary>
    public static async Task AdvanceUntilDoneAsync(FakeTimeProvider time, Task task, TimeSpan step, TimeSpan maxSimulated)
    {
        TimeSpan simulated = TimeSpan.Zero;
        while (!task.IsCompleted && simulated < maxSimulated)
        {
            for (int i = 0; i < 3 && !task.IsCompleted; i++)
            {
                await Task.Delay(1);
            }

            if (!task.IsCompleted)
            {
                time.Advance(step);
                simulated += step;
            }
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; false if it did not within <paramref name="timeout"/>.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    /// <summary>
    /// Polls <paramref name="read"/> until its value has not changed for <paramref name="stableFor"/> (or
    /// <paramref name="timeout"/> passed), and returns the last value.
    /// </summary>
    public static async Task<long> UntilStableAsync(Func<long> read, TimeSpan stableFor, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        long value = read();
        DateTime since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            long now = read();
            if (now != value)
            {
                value = now;
                since = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - since >= stableFor)
            {
                break;
            }
        }

        return value;
    }
}
