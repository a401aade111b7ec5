using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>Runs a multi-step agent: streams the model, runs its tools, sends the results back, until it is done.</summary>
public interface IAgentRunner
{
    /// <summary>Runs the agent on a conversation, yielding every step as it happens.</summary>
    /// <param name="request">
    /// The conversation and request settings (system prompt, model, token limit, server tools). The runner adds the
    /// registered tools.
    /// </param>
    /// <param name="cancellationToken">Cancels the model stream and every running tool.</param>
    /// <returns>The events, ending with <see cref="RunCompleted"/> unless cancelled.</returns>
    IAsyncEnumerable<AgentEvent> RunAsync(MessageRequest request, CancellationToken cancellationToken = default) =>
        RunAsync(request, runOptions: null, cancellationToken);

    /// <summary>Runs the agent on a conversation with per-run settings (tools offered, token budget, deadline).</summary>
    /// <param name="request">
    /// The conversation and request settings; its model, token limit and system prompt override the agent's defaults.
    /// The runner adds the agent's tools (those <paramref name="runOptions"/> allow).
    /// </param>
    /// <param name="runOptions">The run's settings; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the model stream and every running tool.</param>
    /// <returns>The events, ending with <see cref="RunCompleted"/> unless cancelled.</returns>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    IAsyncEnumerable<AgentEvent> RunAsync(MessageRequest request, AgentRunOptions? runOptions, CancellationToken cancellationToken = default);
}
