using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrderAgent;
using StreamingAgents.Agents;

// The order-support demo. With ANTHROPIC_API_KEY set it talks to Claude; without it, to the built-in fake model.
Console.OutputEncoding = Encoding.UTF8;
string question = args.Length > 0 ? string.Join(' ', args) : "Where is my order #ORD-12345? When will it arrive?";
var services = new ServiceCollection();
services.AddOrderAgent(new OrderDatabase(DateOnly.FromDateTime(DateTime.Now)));
await using ServiceProvider provider = services.BuildServiceProvider();
IAgentRunner runner = provider.GetRequiredService<IAgentRunner>();

Console.WriteLine(OrderAgentServices.UsesClaude
    ? "StreamingAgents demo — order support agent (Claude API)"
    : "StreamingAgents demo — order support agent (built-in fake model; set ANTHROPIC_API_KEY to use Claude)");
Console.WriteLine();
Console.WriteLine($"You: {question}");
Console.WriteLine();

using var latencies = new LatencyReport();
var renderer = new ConsoleRenderer(TimeProvider.System);
RunCompleted? result = null;
await foreach (AgentEvent agentEvent in runner.RunAsync(question, OrderAgentServices.SystemPrompt))
{
    renderer.Render(agentEvent);
    result = agentEvent as RunCompleted ?? result;
}

Console.WriteLine();
latencies.Print(Console.Out);
return result?.Outcome is AgentRunOutcome.Completed ? 0 : 1;
