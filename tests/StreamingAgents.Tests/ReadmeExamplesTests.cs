using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests;

// The code of README.md's examples, kept here so it compiles and runs. Edit both together.
public sealed record SearchInput(string OrderId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SearchInput))]
internal sealed partial class MyJsonContext : JsonSerializerContext;

public sealed class ReadmeExamplesTests
{
    [Fact]
    public async Task QuickStart_OnTheFakeModel_StreamsTextAndShowsTheToolCall()
    {
        // From "Testing with StreamingAgents.Testing":
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().Text("Let me check.").ToolUse("search_orders", """{"order_id":"ORD-12345"}""").Stop(StopReason.ToolUse), Chunking.OneByte)
            .RespondWith(new TranscriptBuilder().Text("It shipped yesterday.").Stop(StopReason.EndTurn));

        // From "Quick start" (with the fake handler plugged in and the output captured):
        var services = new ServiceCollection();
        services.AddStreamingAgents(options => options.ApiKey = "test-key")
            .AddTool(AgentTool.Create("search_orders", "Finds an order by its number.", MyJsonContext.Default.SearchInput,
                (input, context) => ValueTask.FromResult(ToolResult.Text($"Order {input.OrderId}: shipped")),
                statusLabel: "🔍 Searching order database…", isReadOnly: true))
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        await using ServiceProvider provider = services.BuildServiceProvider();
        var console = new StringWriter();

        await foreach (AgentEvent e in provider.GetRequiredService<IAgentRunner>().RunAsync("Where is order ORD-12345?"))
        {
            switch (e)
            {
                case TextReceived text: console.Write(text.Text); break;
                case ToolCallStarted call: console.WriteLine($"\n{call.StatusLabel}"); break;
                case ToolCallCompleted done: console.WriteLine($"✓ {done.ToolName} ({done.Duration.TotalMilliseconds:0} ms)"); break;
            }
        }

        string output = console.ToString();
        Assert.StartsWith("Let me check.\n🔍 Searching order database…\n✓ search_orders (", output, StringComparison.Ordinal);
        Assert.EndsWith("It shipped yesterday.", output, StringComparison.Ordinal);
        Assert.Contains("Order ORD-12345: shipped", handler.Requests[1].Body, StringComparison.Ordinal);
    }
}

// From "Writing a tool".
public sealed class SearchOrdersTool : AgentTool<SearchInput>
{
    private readonly IReadOnlyDictionary<string, string> _orders;

    public SearchOrdersTool(IReadOnlyDictionary<string, string> orders)
        : base("search_orders", "Finds an order by its number.", MyJsonContext.Default.SearchInput)
    {
        _orders = orders;
        StatusLabel = "🔍 Searching order database…";
        IsReadOnly = true; // no side effects: may start before the model finishes its message
    }

    protected override async ValueTask<ToolResult> ExecuteAsync(SearchInput input, ToolContext context)
    {
        context.ReportStatus("Querying the order database…");
        await Task.Delay(50, context.CancellationToken); // stands in for real I/O
        return _orders.TryGetValue(input.OrderId, out string? status)
            ? ToolResult.Text($"Order {input.OrderId}: {status}")
            : ToolResult.Error($"There is no order {input.OrderId}.");
    }
}

public sealed class SearchOrdersToolTests
{
    [Fact]
    public async Task ExecuteAsync_KnownAndUnknownOrders()
    {
        var tool = new SearchOrdersTool(new Dictionary<string, string> { ["ORD-1"] = "shipped" });
        var statuses = new List<string>();
        using var known = System.Text.Json.JsonDocument.Parse("""{"order_id":"ORD-1"}""");
        using var unknown = System.Text.Json.JsonDocument.Parse("""{"order_id":"ORD-2"}""");

        ToolResult found = await tool.ExecuteAsync(known.RootElement, new ToolContext("t1", tool.Name, statuses.Add, default));
        ToolResult missing = await tool.ExecuteAsync(unknown.RootElement, new ToolContext("t2", tool.Name, statuses.Add, default));

        Assert.Equal("Order ORD-1: shipped", found.Content);
        Assert.True(missing.IsError);
        Assert.Equal(["Querying the order database…", "Querying the order database…"], statuses);
        Assert.True(tool.IsReadOnly);
    }
}
