using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>Per-run control: the agent's defaults and their overrides, the tools offered, a token budget, a deadline.</summary>
public sealed class RunOptionsTests
{
    private static TranscriptBuilder CallsLookup(int inputTokens = 10, int outputTokens = 20) => new TranscriptBuilder()
        .MessageStart(inputTokens).ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Stop(StopReason.ToolUse, outputTokens);

    private static TranscriptBuilder Answers() => new TranscriptBuilder().Text("Friday.").Stop(StopReason.EndTurn);

    [Fact]
    public async Task AgentDefaults_FillWhatTheRequestLeavesOut_AndTheRequestOverridesThem()
    {
        var harness = new AgentRunnerTestHarness([], options =>
        {
            options.Model = "claude-agent-model";
            options.MaxTokens = 777;
            options.SystemPrompt = "You are the support agent.";
        });
        harness.Handler.RespondWith(Answers()).RespondWith(Answers());

        await harness.Runner.RunAsync("Hi").ToResultAsync();
        await harness.Runner.RunAsync(new MessageRequest { Model = "claude-run-model", MaxTokens = 5, System = new SystemPrompt("Be brief."), Messages = [MessageParam.User("Hi")] }).ToResultAsync();

        JsonElement first = harness.Handler.Requests[0].ParseBody();
        Assert.Equal(("claude-agent-model", 777, "You are the support agent."), (first.GetProperty("model").GetString(), first.GetProperty("max_tokens").GetInt32(), first.GetProperty("system").GetString()));
        JsonElement second = harness.Handler.Requests[1].ParseBody();
        Assert.Equal(("claude-run-model", 5, "Be brief."), (second.GetProperty("model").GetString(), second.GetProperty("max_tokens").GetInt32(), second.GetProperty("system").GetString()));
    }

    [Fact]
    public async Task Tools_OnlyTheAllowedOnesAreOfferedAndRun()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(), TestTools.Lookup("refund")]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("refund", """{"query":"ORD-1"}""", id: "toolu_r").Stop(StopReason.ToolUse)).RespondWith(Answers());

        List<AgentEvent> events = await AgentRunnerTestHarness.CollectAsync(
            harness.Runner.RunAsync(new MessageRequest { Messages = [MessageParam.User("Refund ORD-1")] }, new AgentRunOptions { Tools = ["lookup"] }));

        JsonElement offered = harness.Handler.Requests[0].ParseBody().GetProperty("tools");
        Assert.Equal(["lookup"], offered.EnumerateArray().Select(tool => tool.GetProperty("name").GetString()));
        ToolCallCompleted refused = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.True(refused.IsError);
        Assert.StartsWith("There is no tool named 'refund'. Available tools: lookup.", refused.Result);
    }

    [Fact]
    public void Tools_NamingAnUnknownTool_ThrowsAtOnce()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);

        var error = Assert.Throws<ArgumentException>(() => harness.Runner.RunAsync(
            new MessageRequest { Messages = [MessageParam.User("Hi")] }, new AgentRunOptions { Tools = ["lookup", "delete_everything"] }));

        Assert.Contains("'delete_everything', which is not one of the agent's tools (lookup)", error.Message);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public void InvalidSettings_Throw()
    {
        var harness = new AgentRunnerTestHarness([]);
        var request = new MessageRequest { Messages = [MessageParam.User("Hi")] };

        Assert.Throws<ArgumentOutOfRangeException>(() => harness.Runner.RunAsync(request, new AgentRunOptions { TokenBudget = 0 }));
        Assert.Throws<ArgumentException>(() => harness.Runner.RunAsync(request, new AgentRunOptions { Tools = [""] }));
        Assert.Contains("ApprovalTimeout", Assert.Throws<ArgumentException>(() => new AgentRunnerTestHarness([], o => o.ApprovalTimeout = TimeSpan.Zero)).Message);
        Assert.Contains("MaxTokens", Assert.Throws<ArgumentException>(() => new AgentRunnerTestHarness([], o => o.MaxTokens = 0)).Message);
    }

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task TokenBudget_Reached_StopsBeforeTheNextModelCall(string chunking)
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsLookup(100, 60), ChunkingCases.Named(chunking)).RespondWith(CallsLookup(200, 50), ChunkingCases.Named(chunking)).RespondWith(Answers());

        List<AgentEvent> events = await AgentRunnerTestHarness.CollectAsync(
            harness.Runner.RunAsync(new MessageRequest { Messages = [MessageParam.User("Where is ORD-1?")] }, new AgentRunOptions { TokenBudget = 300 }));

        RunCompleted ending = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.TokenBudgetExceeded, ending.Outcome);
        Assert.Equal(2, harness.Handler.Requests.Count); // 160 tokens after the first turn, 410 after the second: no third call
        Assert.Equal(2, ending.TurnCount);
        Assert.Equal((300, 110), (ending.TotalUsage.InputTokens, ending.TotalUsage.OutputTokens));
        Assert.Equal(2, events.OfType<ToolCallCompleted>().Count()); // the second turn's tool ran: the conversation can go on
        Assert.Equal("user", ending.Conversation[^1].Role);
        Assert.Equal("token_budget_exceeded", JsonSerializer.SerializeToElement<AgentEvent>(ending, AgentJsonContext.Default.AgentEvent).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task TokenBudget_NotReached_CompletesNormally()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());

        RunCompleted ending = await harness.Runner.RunAsync(new MessageRequest { Messages = [MessageParam.User("Hi")] }, new AgentRunOptions { TokenBudget = 1_000 }).ToResultAsync();

        Assert.Equal(AgentRunOutcome.Completed, ending.Outcome);
    }

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task Deadline_Passed_StopsTheToolsAndEndsWithItsOutcome(string chunking)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("slow", cancelled)], time: time);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("Checking.").ToolUse("slow", "{}", id: "toolu_slow").Stop(StopReason.ToolUse), ChunkingCases.Named(chunking));

        Task<List<AgentEvent>> run = AgentRunnerTestHarness.CollectAsync(harness.Runner.RunAsync(
            new MessageRequest { Messages = [MessageParam.User("Hi")] }, new AgentRunOptions { Deadline = time.GetUtcNow().AddSeconds(30) }));
        List<AgentEvent> events = await FakeClock.RunAsync(time, run, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

        await cancelled.Task.WaitAsync(Waiting.Guard);
        RunCompleted ending = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.DeadlineExceeded, ending.Outcome);
        Assert.Equal(["user"], ending.Conversation.Select(m => m.Role)); // the call without a result is left out
        Assert.Equal("Checking.", ending.FinalText);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Deadline_AlreadyPast_EndsAtOnce()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWith(Answers());

        RunCompleted ending = await harness.Runner.RunAsync(
            new MessageRequest { Messages = [MessageParam.User("Hi")] }, new AgentRunOptions { Deadline = DateTimeOffset.UtcNow.AddMinutes(-1) }).ToResultAsync();

        Assert.Equal(AgentRunOutcome.DeadlineExceeded, ending.Outcome);
    }

    [Fact]
    public async Task DeadlineAndCallerCancellationTogether_TheCallersCancellationWins()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("slow", new TaskCompletionSource())], time: time);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("slow", "{}", id: "toolu_slow").Stop(StopReason.ToolUse));
        using var cancel = new CancellationTokenSource();
        var request = new MessageRequest { Messages = [MessageParam.User("Hi")] };

        Task run = Task.Run(async () =>
        {
            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync(request, new AgentRunOptions { Deadline = time.GetUtcNow().AddSeconds(10) }, cancel.Token))
            {
                if (agentEvent is ToolExecutionStarted)
                {
                    await cancel.CancelAsync();
                    time.Advance(TimeSpan.FromSeconds(11)); // the deadline passes too
                }
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Waiting.Guard));
    }

    [Fact]
    public async Task TokenBudget_CountsAFailedAttemptsTokens()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        Transcript failing = CallsLookup(500, 1).Build();
        var drop = new ChunkedStreamOptions { EndAfterBytes = failing.Text.IndexOf("event: content_block_start", StringComparison.Ordinal), Ending = StreamEnding.Drop };
        harness.Handler.RespondWith(failing, Chunking.PerEvent, drop).RespondWith(CallsLookup(100, 10)).RespondWith(Answers());

        RunCompleted ending = await harness.Runner.RunAsync(new MessageRequest { Messages = [MessageParam.User("Hi")] }, new AgentRunOptions { TokenBudget = 600 }).ToResultAsync();

        Assert.Equal(AgentRunOutcome.TokenBudgetExceeded, ending.Outcome); // 500 billed for the failed attempt + 110
        Assert.Equal(600, ending.TotalUsage.InputTokens);
    }
}
