using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Readme;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>
/// The agent-event JSON is a public wire contract that browsers consume: one documented shape per event, the same
/// through the library's context and through ASP.NET Core's web defaults, with a checked-in schema.
/// </summary>
public sealed class AgentEventContractTests
{
    private const string SchemaPath = "docs/agent-events.schema.json";
    private static readonly DateTimeOffset s_when = new(2026, 11, 25, 12, 0, 0, 500, TimeSpan.FromHours(1));

    /// <summary>Each event with the exact JSON it must produce (stamped seq 7, turn 2, 11:00:00.5 UTC).</summary>
    public static TheoryData<AgentEvent, string> Events()
    {
        JsonElement input = JsonDocument.Parse("""{"query":"ORD-1"}""").RootElement.Clone();
        const string Stamp = "\"seq\":7,\"turn\":2,\"timestamp\":\"2026-11-25T11:00:00.5000000Z\"";
        return new()
        {
            { new TurnStarted { Attempt = 1 }, $$$"""{"type":"turn_started",{{{Stamp}}},"attempt":1}""" },
            { new TextReceived { Text = "Hi", BlockIndex = 0 }, $$$"""{"type":"text",{{{Stamp}}},"text":"Hi","block_index":0}""" },
            { new ThinkingReceived { Thinking = "Hmm", BlockIndex = 1 }, $$$"""{"type":"thinking",{{{Stamp}}},"thinking":"Hmm","block_index":1}""" },
            {
                new ToolCallStarted { ToolCallId = "toolu_1", ToolName = "lookup", StatusLabel = "Looking up", BlockIndex = 2 },
                $$$"""{"type":"tool_call_started",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","status_label":"Looking up","block_index":2}"""
            },
            { new ToolCallStarted { ToolCallId = "toolu_1", ToolName = "lookup" }, $$$"""{"type":"tool_call_started",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","block_index":0}""" },
            {
                new ToolInputProgress { ToolCallId = "toolu_1", Fragment = "{\"q", Snapshot = input },
                $$$"""{"type":"tool_input_progress",{{{Stamp}}},"tool_call_id":"toolu_1","fragment":"{\u0022q","snapshot":{"query":"ORD-1"}}"""
            },
            {
                new ToolCallReady { ToolCallId = "toolu_1", ToolName = "lookup", Input = input, InputStatus = ToolInputStatus.Incomplete },
                $$$"""{"type":"tool_call_ready",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","input":{"query":"ORD-1"},"input_status":"incomplete"}"""
            },
            {
                new ToolApprovalRequested { ToolCallId = "toolu_1", ToolName = "refund", Input = input },
                $$$"""{"type":"tool_approval_requested",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"refund","input":{"query":"ORD-1"}}"""
            },
            {
                new ToolExecutionStarted { ToolCallId = "toolu_1", ToolName = "lookup", IsEager = true },
                $$$"""{"type":"tool_execution_started",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","is_eager":true}"""
            },
            {
                new ToolStatusReported { ToolCallId = "toolu_1", ToolName = "lookup", Status = "Halfway" },
                $$$"""{"type":"tool_status",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","status":"Halfway"}"""
            },
            {
                new ToolCallCompleted { ToolCallId = "toolu_1", ToolName = "lookup", Result = "ok, and more", ResultPreview = "ok", IsResultTruncated = true, Duration = TimeSpan.FromMilliseconds(12.5) },
                $$$"""{"type":"tool_call_completed",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","result":"ok","result_truncated":true,"is_error":false,"duration_ms":12.5}"""
            },
            {
                new ToolCallDiscarded { ToolCallId = "toolu_1", ToolName = "lookup", Reason = ToolCallDiscarded.NotRequestedReason, WasExecuting = true },
                $$$"""{"type":"tool_call_discarded",{{{Stamp}}},"tool_call_id":"toolu_1","tool_name":"lookup","reason":"not_requested","was_executing":true}"""
            },
            {
                new TurnCompleted { StopReason = StopReason.MaxTokens, Usage = new Usage { InputTokens = 1, OutputTokens = 2, CacheReadInputTokens = 3 } },
                $$$"""{"type":"turn_completed",{{{Stamp}}},"stop_reason":"max_tokens","usage":{"input_tokens":1,"cache_read_input_tokens":3,"output_tokens":2}}"""
            },
            {
                new TurnRetrying { NextAttempt = 2, Error = new AgentError { Type = "overloaded_error", Message = "Overloaded" } },
                $$$"""{"type":"turn_retrying",{{{Stamp}}},"next_attempt":2,"error":{"type":"overloaded_error","message":"Overloaded"}}"""
            },
            { new Heartbeat(), $$$"""{"type":"heartbeat",{{{Stamp}}}}""" },
            {
                new RunCompleted
                {
                    Outcome = AgentRunOutcome.ContextWindowExceeded,
                    Conversation = [MessageParam.User("secret system-ish context")],
                    FinalMessage = new Message { Content = [new TextBlock { Text = "The answer" }] },
                    FinalText = "The answer",
                    TotalUsage = new Usage { InputTokens = 10, OutputTokens = 20 },
                    TurnCount = 3,
                },
                $$$"""{"type":"run_completed",{{{Stamp}}},"outcome":"context_window_exceeded","final_text":"The answer","usage":{"input_tokens":10,"output_tokens":20},"turn_count":3}"""
            },
            {
                new RunCompleted
                {
                    Outcome = AgentRunOutcome.Refused,
                    TotalUsage = new Usage(),
                    StopDetails = new StopDetails { Type = "refusal", Category = "cyber" },
                    Error = new AgentError { Type = "x", Message = "y" },
                },
                $$$"""{"type":"run_completed",{{{Stamp}}},"outcome":"refused","usage":{"input_tokens":0,"output_tokens":0},"turn_count":0,"error":{"type":"x","message":"y"},"stop_details":{"type":"refusal","category":"cyber"}}"""
            },
        };
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Serialize_EveryEvent_GivesItsDocumentedJson(AgentEvent agentEvent, string expected)
    {
        string json = JsonSerializer.Serialize(Stamped(agentEvent), AgentJsonContext.Default.AgentEvent);

        Assert.Equal(expected, json);
        Assert.Equal(agentEvent.EventType, JsonDocument.Parse(json).RootElement.GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Serialize_WithAspNetCoreWebDefaults_GivesTheSameJson(AgentEvent agentEvent, string expected)
    {
        // ASP.NET Core's defaults: camelCase, and (under AOT) the library's context added to the resolvers.
        var webWithContext = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = AgentJsonContext.Default };
        var webReflection = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

        Assert.Equal(expected, JsonSerializer.Serialize(Stamped(agentEvent), webWithContext.GetTypeInfo(typeof(AgentEvent))));
        Assert.Equal(expected, JsonSerializer.Serialize(Stamped(agentEvent), webReflection.GetTypeInfo(typeof(AgentEvent))));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Deserialize_EveryEvent_RoundTripsItsWireShape(AgentEvent agentEvent, string expected)
    {
        _ = agentEvent;

        AgentEvent back = JsonSerializer.Deserialize(expected, AgentJsonContext.Default.AgentEvent)!;

        Assert.Equal(expected, JsonSerializer.Serialize(back, AgentJsonContext.Default.AgentEvent));
        Assert.Equal((7, 2, s_when), (back.Sequence, back.Turn, back.Timestamp));
    }

    [Fact]
    public void EventTypes_EveryDerivedType_HasOneStableName()
    {
        Type[] derived = [.. typeof(AgentEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(AgentEvent)) && !t.IsAbstract)];
        string[] constants = [.. typeof(AgentEventTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!)];

        Assert.Equal(derived.Length, constants.Length);
        Assert.All(constants, name => Assert.Matches("^[a-z]+(_[a-z]+)*$", name));
        Assert.Equal(derived.Length, Events().Select(row => ((AgentEvent)row[0]).GetType()).Distinct().Count());
    }

    [Fact]
    public void Schema_MatchesTheCheckedInFile()
    {
        // Regenerate with: UPDATE_AGENT_EVENT_SCHEMA=1 dotnet test -c Release --filter Schema_MatchesTheCheckedInFile
        string generated = AgentEventSchema.Generate();
        string path = Path.Combine(ReadmeCodeBlock.RepositoryRoot, SchemaPath);
        if (Environment.GetEnvironmentVariable("UPDATE_AGENT_EVENT_SCHEMA") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{SchemaPath} is missing; regenerate it (see this test).");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), generated);
    }

    [Fact]
    public void Schema_NamesEveryEventTypeAndItsRequiredFields()
    {
        JsonNode schema = JsonNode.Parse(AgentEventSchema.Generate())!;
        JsonArray variants = schema["anyOf"]!.AsArray();

        string[] types = [.. variants.Select(v => v!["properties"]!["type"]!["const"]!.GetValue<string>())];
        Assert.Equal(typeof(AgentEventTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!).Order(), types.Order());
        JsonNode text = variants.Single(v => v!["properties"]!["type"]!["const"]!.GetValue<string>() == "text")!;
        Assert.Contains("text", text["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("seq", text["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void Readme_EventTable_ListsEveryEventTypeAndOutcome()
    {
        string readme = File.ReadAllText(Path.Combine(ReadmeCodeBlock.RepositoryRoot, "README.md"));
        string[] rows = [.. readme.Split('\n').Where(line => line.StartsWith("| `", StringComparison.Ordinal)).Select(line => line.Split('`')[1])];

        foreach (string type in typeof(AgentEventTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!))
        {
            Assert.Contains(type, rows);
        }

        foreach (AgentRunOutcome outcome in Enum.GetValues<AgentRunOutcome>())
        {
            Assert.Contains($"`{JsonSerializer.Serialize(outcome, AgentJsonContext.Default.AgentRunOutcome).Trim('"')}`", readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_LongToolResult_WireCarriesAPreviewAndTheModelGetsAll()
    {
        string longResult = new string('x', 5000) + "😀" + new string('y', 10);
        var harness = new AgentRunnerTestHarness(
            [TestTools.Lookup(execute: (_, _) => ValueTask.FromResult(ToolResult.Text(longResult)))],
            o => o.ToolResultPreviewLength = 5001); // the cut falls between the halves of 😀
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"a"}""").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));

        List<AgentEvent> events = await harness.RunAsync();

        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.Equal(longResult, completed.Result);
        Assert.Equal(new string('x', 5000), completed.ResultPreview);
        Assert.True(completed.IsResultTruncated);
        JsonElement wire = JsonDocument.Parse(JsonSerializer.Serialize<AgentEvent>(completed, AgentJsonContext.Default.AgentEvent)).RootElement;
        Assert.Equal(5000, wire.GetProperty("result").GetString()!.Length);
        Assert.Contains(longResult, harness.Handler.Requests[1].Body.Replace("\\uD83D\\uDE00", "😀", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RunCompletedOnTheWire_IsLeanAndCarriesTheFinalText()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("Hello there.").Stop(StopReason.EndTurn));

        List<AgentEvent> events = await harness.Runner.RunAsync(new MessageRequest { System = "TOP SECRET SYSTEM PROMPT", Messages = [MessageParam.User("private question")] }).ToListAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        string json = JsonSerializer.Serialize<AgentEvent>(result, AgentJsonContext.Default.AgentEvent);
        Assert.Equal("Hello there.", JsonDocument.Parse(json).RootElement.GetProperty("final_text").GetString());
        Assert.DoesNotContain("TOP SECRET", json, StringComparison.Ordinal);
        Assert.DoesNotContain("private question", json, StringComparison.Ordinal);
        Assert.Equal(2, result.Conversation.Count); // still whole on the .NET object
    }

    private static AgentEvent Stamped(AgentEvent agentEvent)
    {
        agentEvent.Sequence = 7;
        agentEvent.Turn = 2;
        agentEvent.Timestamp = s_when;
        return agentEvent;
    }
}
