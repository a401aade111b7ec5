using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrderAgent;
using StreamingAgents.Agents;
using StreamingAgents.Http;

// The order-support demo. With ANTHROPIC_API_KEY set it talks to Claude; without it, to the built-in fake model.
Console.OutputEncoding = Encoding.UTF8;
string question = args.Length > 0 ? string.Join(' ', args) : "Where is my order #ORD-12345? When will it arrive?";
bool useRealApi = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable));
var database = new OrderDatabase(DateOnly.FromDateTime(DateTime.Now));

var services = new ServiceCollection();
StreamingAgentsBuilder agents = services.AddStreamingAgents(options => options.ApiKey = useRealApi ? null : "fake-model-needs-no-key")
    .AddTool(OrderTools.SearchOrders(database))
    .AddTool(OrderTools.GetShippingStatus(database));
if (!useRealApi)
{
    agents.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => FakeModel.CreateHandler(database));
}

await using ServiceProvider provider = services.BuildServiceProvider();
IAgentRunner runner = provider.GetRequiredService<IAgentRunner>();

Console.WriteLine(useRealApi
    ? "StreamingAgents demo — order support agent (Claude API)"
    : "StreamingAgents demo — order support agent (built-in fake model; set ANTHROPIC_API_KEY to use Claude)");
Console.WriteLine();
Console.WriteLine($"You: {question}");
Console.WriteLine();

const string System = """
    You are the support agent of an online store. Use the tools to look up orders and shipments; never guess
    order details. Answer briefly and warmly, with the delivery date when you know it.
    """;
var renderer = new ConsoleRenderer(TimeProvider.System);
RunCompleted? result = null;
await foreach (AgentEvent agentEvent in runner.RunAsync(question, System))
{
    renderer.Render(agentEvent);
    result = agentEvent as RunCompleted ?? result;
}

return result?.Outcome is AgentRunOutcome.Completed ? 0 : 1;
