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
    IAsyncEnumerable<AgentEvent> RunAsync(MessageRequest request, CancellationToken cancellationToken = default);
}
