using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>Usage totals keep every server tool counter, the named ones and those this library does not name yet.</summary>
public sealed class UsageAdditionTests
{
    [Fact]
    public void Addition_ServerToolCounters_AreSummedNotDropped()
    {
        Usage first = ParseUsage("""{"input_tokens":10,"output_tokens":5,"server_tool_use":{"web_search_requests":1,"web_fetch_requests":2,"code_execution_requests":1}}""");
        Usage second = ParseUsage("""{"input_tokens":20,"output_tokens":7,"server_tool_use":{"web_search_requests":3,"web_fetch_requests":4,"code_execution_requests":2}}""");

        JsonNode total = ToJson(first + second);

        Assert.Equal(30, (int)total["input_tokens"]!);
        Assert.Equal(4, (int)total["server_tool_use"]!["web_search_requests"]!);
        Assert.Equal(6, (int)total["server_tool_use"]!["web_fetch_requests"]!);
        Assert.Equal(3, (int)total["server_tool_use"]!["code_execution_requests"]!);
    }

    [Fact]
    public void Addition_CounterOnOneSideOnly_IsKept()
    {
        Usage withFetch = ParseUsage("""{"input_tokens":1,"output_tokens":1,"server_tool_use":{"web_fetch_requests":2}}""");
        Usage without = ParseUsage("""{"input_tokens":1,"output_tokens":1}""");

        Assert.Equal(2, (int)ToJson(withFetch + without)["server_tool_use"]!["web_fetch_requests"]!);
        Assert.Equal(2, (int)ToJson(without + withFetch)["server_tool_use"]!["web_fetch_requests"]!);
    }

    [Fact]
    public async Task RunAsync_TwoTurnsWithServerToolUse_TotalUsageKeepsWebFetchRequests()
    {
        var harness = new HardeningRunner([TestTools.Lookup()]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Raw(Ending("tool_use", webSearch: 1, webFetch: 2)))
            .RespondWith(new TranscriptBuilder().Text("Friday.").Raw(Ending("end_turn", webSearch: 0, webFetch: 3)));

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Completed, completed.Outcome);
        JsonNode total = ToJson(completed.TotalUsage);
        Assert.Equal(5, (int)total["server_tool_use"]!["web_fetch_requests"]!);
        Assert.Equal(1, (int)total["server_tool_use"]!["web_search_requests"]!);
    }

    private static string Ending(string stopReason, int webSearch, int webFetch) =>
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason + "\"},\"usage\":{\"output_tokens\":4,\"server_tool_use\":{\"web_search_requests\":"
        + webSearch.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"web_fetch_requests\":" + webFetch.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + "}}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static Usage ParseUsage(string json) => JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.Usage)!;

    private static JsonNode ToJson(Usage usage) => JsonNode.Parse(JsonSerializer.Serialize(usage, AnthropicJsonContext.Default.Usage))!;
}
