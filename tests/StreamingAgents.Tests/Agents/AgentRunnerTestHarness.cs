using StreamingAgents.Agents;
using StreamingAgents.Http;
using StreamingAgents.Testing.Http;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>A runner over a real client and a scripted fake endpoint, with fast retries.</summary>
internal sealed class AgentRunnerTestHarness
{
    public AgentRunnerTestHarness(IEnumerable<AgentTool> tools, Action<AgentRunnerOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new AgentRunnerOptions { StreamRetryDelay = TimeSpan.FromMilliseconds(1) };
        configure?.Invoke(options);
        Client = ClientFactory.Create(Handler, o => o.MaxRetries = 0, time);
        Runner = new AgentRunner(Client, new ToolRegistry(tools), options, time);
    }

    public FakeAnthropicHandler Handler { get; } = new();

    public AnthropicClient Client { get; }

    public AgentRunner Runner { get; }

    public Task<List<AgentEvent>> RunAsync(string question = "Where is ORD-1?", CancellationToken cancellationToken = default) =>
        CollectAsync(Runner.RunAsync(question, cancellationToken: cancellationToken));

    public static async Task<List<AgentEvent>> CollectAsync(IAsyncEnumerable<AgentEvent> events)
    {
        var list = new List<AgentEvent>();
        await foreach (AgentEvent agentEvent in events)
        {
            list.Add(agentEvent);
        }

        return list;
    }
}
