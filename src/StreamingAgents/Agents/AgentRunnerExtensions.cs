using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>Conveniences over <see cref="IAgentRunner"/>.</summary>
public static class AgentRunnerExtensions
{
    /// <summary>Runs the agent on one user message.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="system">The system prompt, if any.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The events.</returns>
    public static IAsyncEnumerable<AgentEvent> RunAsync(this IAgentRunner runner, string userMessage, SystemPrompt? system = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return runner.RunAsync(new MessageRequest { System = system, Messages = [MessageParam.User(userMessage)] }, cancellationToken);
    }

    /// <summary>Runs to the end and returns the final event.</summary>
    /// <param name="events">A run's events.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run's <see cref="RunCompleted"/>.</returns>
    /// <exception cref="InvalidOperationException">The events ended without <see cref="RunCompleted"/>.</exception>
    public static async Task<RunCompleted> ToResultAsync(this IAsyncEnumerable<AgentEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        RunCompleted? result = null;
        await foreach (AgentEvent agentEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            result = agentEvent as RunCompleted ?? result;
        }

        return result ?? throw new InvalidOperationException("The agent run ended without a RunCompleted event.");
    }
}
