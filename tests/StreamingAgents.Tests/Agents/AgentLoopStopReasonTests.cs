using System.Text;
using System.Text.Json;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>How each way a message can end shapes the run's outcome and the conversation it leaves.</summary>
public sealed class AgentLoopStopReasonTests
{
    private static readonly StopDetails s_cyber = new() { Type = "refusal", Category = "cyber", Explanation = "Declined: could enable cyber harm." };

    [Fact]
    public async Task RunAsync_ModelContextWindowExceeded_EndsAsTruncationNotCompleted()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(isReadOnly: false)]);
        harness.Handler.RespondWith(new TranscriptBuilder()
            .Text("The answer is")
            .ToolUseFragments("lookup", "toolu_cut", """{"query":"OR""")
            .Stop(StopReason.ModelContextWindowExceeded));

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.ContextWindowExceeded, result.Outcome);
        Assert.Equal(StopReason.ModelContextWindowExceeded, result.FinalMessage!.StopReason);
        // The cut-off call was never run and is left out of the conversation, like at max_tokens.
        Assert.Empty(events.OfType<ToolExecutionStarted>());
        MessageParam assistant = result.Conversation[^1];
        Assert.Equal("assistant", assistant.Role);
        Assert.IsType<TextBlock>(Assert.Single(assistant.Content));
        Assert.Single(harness.Handler.Requests);
    }

    [Fact]
    public async Task RunAsync_ModelContextWindowExceededWithContinueOnMaxTokens_DoesNotContinue()
    {
        var harness = new AgentRunnerTestHarness([], o => o.OnMaxTokens = MaxTokensBehavior.Continue);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("Partial").Stop(StopReason.ModelContextWindowExceeded));

        RunCompleted result = Assert.IsType<RunCompleted>((await harness.RunAsync())[^1]);

        Assert.Equal(AgentRunOutcome.ContextWindowExceeded, result.Outcome);
        Assert.Single(harness.Handler.Requests);
    }

    [Fact]
    public async Task RunAsync_RefusalInFirstTurn_EndsRefusedWithoutTheRefusedTurnAndWithItsDetails()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("I can help with th").Stop(StopReason.Refusal, stopDetails: s_cyber));

        RunCompleted result = Assert.IsType<RunCompleted>((await harness.RunAsync("How do I break into...?"))[^1]);

        Assert.Equal(AgentRunOutcome.Refused, result.Outcome);
        Assert.Equal(["user"], result.Conversation.Select(m => m.Role));
        Assert.Equal(s_cyber, result.FinalMessage!.StopDetails);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task RunAsync_RefusalAfterToolResults_ConversationEndsWithTheTurnThatTriggeredIt()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Here is how t").Stop(StopReason.Refusal, stopDetails: s_cyber));

        RunCompleted result = Assert.IsType<RunCompleted>((await harness.RunAsync())[^1]);

        Assert.Equal(AgentRunOutcome.Refused, result.Outcome);
        Assert.Equal(["user", "assistant", "user"], result.Conversation.Select(m => m.Role));
        Assert.IsType<ToolResultBlock>(Assert.Single(result.Conversation[^1].Content));
        Assert.DoesNotContain(result.Conversation.SelectMany(m => m.Content).OfType<TextBlock>(), block => block.Text.Contains("Here is how", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"query": "ORD-1",]}""", "invalid")]
    [InlineData("""{"query": "ORD-1""", "incomplete")]
    public async Task RunAsync_ToolInputNotValidJson_IsSentBackWrappedAsInvalidJsonWithAnErrorResult(string rawInput, string status)
    {
        var runs = 0;
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(execute: (_, _) => { runs++; return ValueTask.FromResult(ToolResult.Text("ran")); })]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUseFragments("lookup", "toolu_bad", rawInput[..5], rawInput[5..]).Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Sorry, let me fix that.").Stop(StopReason.EndTurn));

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(0, runs);
        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.True(completed.IsError);
        Assert.Contains(status, completed.Result, StringComparison.Ordinal);

        // Anthropic's fine-grained tool streaming docs: the raw text goes back in a JSON object, as an error.
        JsonElement messages = harness.Handler.Requests[1].ParseBody().GetProperty("messages");
        JsonElement toolUse = messages[1].GetProperty("content")[0];
        Assert.Equal("tool_use", toolUse.GetProperty("type").GetString());
        Assert.Equal(rawInput, toolUse.GetProperty("input").GetProperty("INVALID_JSON").GetString());
        Assert.Single(toolUse.GetProperty("input").EnumerateObject());
        JsonElement toolResult = messages[2].GetProperty("content")[0];
        Assert.Equal("toolu_bad", toolResult.GetProperty("tool_use_id").GetString());
        Assert.True(toolResult.GetProperty("is_error").GetBoolean());
    }

    [Fact]
    public async Task RunAsync_EagerToolWhenTheMessageEndsWithoutToolUse_IsDiscardedWithAnEvent()
    {
        var cancelled = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("watch", cancelled)]);
        string transcript = new TranscriptBuilder().ToolUse("watch", "{}", id: "toolu_w").Text("Never mind, it is done.").Stop(StopReason.EndTurn).ToString();
        int split = transcript.IndexOf("event: content_block_start", transcript.IndexOf("content_block_stop", StringComparison.Ordinal), StringComparison.Ordinal);
        var body = new GatedStream(Encoding.UTF8.GetBytes(transcript[..split]), Encoding.UTF8.GetBytes(transcript[split..]));
        harness.Handler.RespondWith((_, _) => FakeResponses.Stream(body));

        var events = new List<AgentEvent>();
        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Watch it"))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolExecutionStarted)
            {
                body.Open(); // the rest of the message arrives while the tool runs
            }
        }

        Assert.True(cancelled.Task.IsCompleted);
        ToolCallDiscarded discarded = Assert.Single(events.OfType<ToolCallDiscarded>());
        Assert.Equal(("toolu_w", "watch", ToolCallDiscarded.NotRequestedReason, true), (discarded.ToolCallId, discarded.ToolName, discarded.Reason, discarded.WasExecuting));
        Assert.Empty(events.OfType<ToolCallCompleted>());
        Assert.True(discarded.Sequence < events[^1].Sequence);
        Assert.Equal("tool_call_discarded", JsonDocument.Parse(JsonSerializer.Serialize<AgentEvent>(discarded, AgentJsonContext.Default.AgentEvent)).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task RunAsync_ToolCallCutOffAtMaxTokens_IsDiscardedWithoutRunning()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(isReadOnly: false)]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUseFragments("lookup", "toolu_cut", """{"que""").Stop(StopReason.MaxTokens));

        List<AgentEvent> events = await harness.RunAsync();

        ToolCallDiscarded discarded = Assert.Single(events.OfType<ToolCallDiscarded>());
        Assert.Equal(("toolu_cut", false), (discarded.ToolCallId, discarded.WasExecuting));
        Assert.Equal(AgentRunOutcome.MaxTokens, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Fact]
    public async Task RunAsync_TurnRetriedAfterAToolStartedEarly_DiscardsItAsRetrying()
    {
        var cancelled = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("watch", cancelled)], o => o.MaxStreamRetries = 1);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("watch", "{}", id: "toolu_w").Error())
            .RespondWith(new TranscriptBuilder().Text("All good.").Stop(StopReason.EndTurn));

        List<AgentEvent> events = await harness.RunAsync();

        ToolCallDiscarded discarded = Assert.Single(events.OfType<ToolCallDiscarded>());
        Assert.Equal(ToolCallDiscarded.TurnRetryingReason, discarded.Reason);
        Assert.True(discarded.Sequence < events.OfType<TurnRetrying>().Single().Sequence);
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Fact]
    public async Task RunAsync_EveryStartedToolCall_IsCompletedOrDiscardedExactlyOnce()
    {
        var cancelled = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(), TestTools.Hanging("watch", cancelled)]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"a"}""", id: "toolu_a").ToolUse("lookup", """{"query":"b"}""", id: "toolu_b").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().ToolUse("watch", "{}", id: "toolu_w").ToolUseFragments("lookup", "toolu_c", """{"q""").Stop(StopReason.MaxTokens));

        List<AgentEvent> events = await harness.RunAsync();

        var settled = events.OfType<ToolCallCompleted>().Select(e => e.ToolCallId).Concat(events.OfType<ToolCallDiscarded>().Select(e => e.ToolCallId)).ToList();
        Assert.Equal(events.OfType<ToolCallStarted>().Select(e => e.ToolCallId).Order(), settled.Order());
    }

    [Fact]
    public async Task RunAsync_ModelRepeatsAToolCallId_RunsBothCallsSeparately()
    {
        var queries = new List<string>();
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(execute: (input, _) => { lock (queries) { queries.Add(input.Query); } return ValueTask.FromResult(ToolResult.Text(input.Query)); })]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"a"}""", id: "toolu_same").ToolUse("lookup", """{"query":"b"}""", id: "toolu_same").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(["a", "b"], queries.Order());
        Assert.Equal(["a", "b"], events.OfType<ToolCallCompleted>().Select(e => e.Result).Order());
        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(["a", "b"], result.Conversation[2].Content.Cast<ToolResultBlock>().Select(r => ((TextBlock)r.Content[0]).Text));
    }
}
