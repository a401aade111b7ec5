using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Agents;

public sealed class AgentEventSerializationTests
{
    public static TheoryData<string, AgentEvent> Events()
    {
        using JsonDocument input = JsonDocument.Parse("""{"query":"ORD-1"}""");
        return new()
        {
            { "turn_started", new TurnStarted { Attempt = 1 } },
            { "text", new TextReceived { Text = "Hi", BlockIndex = 0 } },
            { "thinking", new ThinkingReceived { Thinking = "Hmm", BlockIndex = 0 } },
            { "tool_call_started", new ToolCallStarted { ToolCallId = "toolu_1", ToolName = "lookup", StatusLabel = "🔍 Looking up…" } },
            { "tool_input_progress", new ToolInputProgress { ToolCallId = "toolu_1", Fragment = "{\"q", Snapshot = input.RootElement.Clone() } },
            { "tool_call_ready", new ToolCallReady { ToolCallId = "toolu_1", ToolName = "lookup", Input = input.RootElement.Clone(), InputStatus = ToolInputStatus.Complete } },
            { "tool_execution_started", new ToolExecutionStarted { ToolCallId = "toolu_1", ToolName = "lookup", IsEager = true } },
            { "tool_status", new ToolStatusReported { ToolCallId = "toolu_1", ToolName = "lookup", Status = "Halfway" } },
            { "tool_call_completed", new ToolCallCompleted { ToolCallId = "toolu_1", ToolName = "lookup", Result = "ok", Duration = TimeSpan.FromMilliseconds(12) } },
            { "turn_completed", new TurnCompleted { StopReason = StopReason.EndTurn, Usage = new Usage { InputTokens = 1, OutputTokens = 2 } } },
            { "turn_retrying", new TurnRetrying { NextAttempt = 2, Error = new AgentError { Type = "overloaded_error", Message = "Overloaded" } } },
            { "heartbeat", new Heartbeat() },
            { "run_completed", new RunCompleted { Outcome = AgentRunOutcome.MaxTurns, Conversation = [MessageParam.User("Hi")], TotalUsage = new Usage(), TurnCount = 3 } },
        };
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Serialize_EveryEvent_HasTypeDiscriminatorAndRoundTrips(string type, AgentEvent agentEvent)
    {
        agentEvent.Sequence = 7;
        agentEvent.Turn = 2;
        agentEvent.Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        string json = JsonSerializer.Serialize(agentEvent, AnthropicJsonContext.Default.AgentEvent);
        using JsonDocument document = JsonDocument.Parse(json);
        AgentEvent back = JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.AgentEvent)!;

        Assert.Equal(type, document.RootElement.GetProperty("type").GetString());
        Assert.Equal(7, document.RootElement.GetProperty("sequence").GetInt64());
        Assert.Equal(2, document.RootElement.GetProperty("turn").GetInt32());
        Assert.Equal("2026-11-25T12:00:00+00:00", document.RootElement.GetProperty("timestamp").GetString());
        Assert.Equal(agentEvent.GetType(), back.GetType());
        Assert.Equal(json, JsonSerializer.Serialize(back, AnthropicJsonContext.Default.AgentEvent));
    }

    [Fact]
    public void Serialize_Enums_AreStrings()
    {
        string json = JsonSerializer.Serialize<AgentEvent>(new RunCompleted { Outcome = AgentRunOutcome.ToolErrorLimit, Conversation = [], TotalUsage = new Usage() }, AnthropicJsonContext.Default.AgentEvent);

        Assert.Contains("\"outcome\":\"ToolErrorLimit\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddStreamingAgents_Runner_IsResolvableAndRuns()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"x"}""").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool(TestTools.Lookup())
            .ConfigureRunner(o => o.MaxTurns = 3)
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        using ServiceProvider provider = services.BuildServiceProvider();

        RunCompleted result = await provider.GetRequiredService<IAgentRunner>().RunAsync("Go").ToResultAsync();

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Equal("Done.", result.FinalMessage!.GetText());
        Assert.Equal(3, provider.GetRequiredService<IOptions<AgentRunnerOptions>>().Value.MaxTurns);
    }

    [Fact]
    public void AddStreamingAgents_InvalidRunnerOptions_FailAtStartup()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).ConfigureRunner(o => o.MaxConcurrentTools = 0);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.StartsWith("AgentRunnerOptions.MaxConcurrentTools", StringComparison.Ordinal));
    }
}
