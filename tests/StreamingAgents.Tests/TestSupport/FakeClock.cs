using Microsoft.Extensions.Time.Testing;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>Drives a <see cref="FakeTimeProvider"/> forward while a task runs, so timeouts elapse instantly.</summary>
internal static class FakeClock
{
    /// <summary>
    /// Advances the clock in <paramref name="step"/>s until <paramref name="task"/> finishes, letting continuations run
    /// between steps. Gives up (and fails) after <paramref name="maxSimulated"/> of simulated time.
    /// </summary>
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, TimeSpan maxSimulated)
    {
        await RunAsync(time, (Task)task, step, maxSimulated);
        return await task;
    }

    public static async Task RunAsync(FakeTimeProvider time, Task task, TimeSpan step, TimeSpan maxSimulated)
    {
        TimeSpan simulated = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            // Let the code under test reach its next timer before time moves on.
            for (int i = 0; i < 3 && !task.IsCompleted; i++)
            {
                await Task.Delay(1);
            }

            if (task.IsCompleted)
            {
                break;
            }

            Assert.True(simulated < maxSimulated, $"The task did not finish within {maxSimulated} of simulated time.");
            time.Advance(step);
            simulated += step;
        }

        await task;
    }
}
