using System.Text.Json;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>Tools that need a person's approval: granted, denied, timed out, next to calls that need none.</summary>
public sealed class ToolApprovalTests
{
    private static TranscriptBuilder CallsRefund(string amount = "20") =>
        new TranscriptBuilder().Text("I will refund it.").ToolUse("refund", $$"""{"query":"ORD-1","limit":{{amount}}}""", id: "toolu_refund", fragmentSize: 4).Stop(StopReason.ToolUse);

    private static TranscriptBuilder Answers() => new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn);

    private static AgentTool Refund(List<string> ran, bool requiresApproval = true, Func<JsonElement, bool>? condition = null, bool isReadOnly = false) =>
        AgentTool.Create("refund", "Refunds an order.", TestJsonContext.Default.LookupInput, (input, _) =>
        {
            lock (ran)
            {
                ran.Add(input.Query);
            }

            return ValueTask.FromResult(ToolResult.Text($"refunded {input.Query}"));
        }, isReadOnly: isReadOnly, requiresApproval: requiresApproval, approvalCondition: condition);

    /// <summary>Runs the agent, answering each approval request with <paramref name="answer"/> as it arrives.</summary>
    private static async Task<List<AgentEvent>> RunAnsweringAsync(AgentRunnerTestHarness harness, Action<ToolApprovalRequested> answer)
    {
        var events = new List<AgentEvent>();
        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Refund ORD-1").WithCancellation(new CancellationTokenSource(Waiting.Guard).Token))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolApprovalRequested request)
            {
                answer(request);
            }
        }

        return events;
    }

    private static string ToolResultSent(AgentRunnerTestHarness harness) =>
        harness.Handler.Requests[1].ParseBody().GetProperty("messages")[2].GetProperty("content")[0].GetProperty("content")[0].GetProperty("text").GetString()!;

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task Approved_TheToolRunsAfterTheRequest(string chunking)
    {
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran)]);
        harness.Handler.RespondWith(CallsRefund(), ChunkingCases.Named(chunking)).RespondWith(Answers(), ChunkingCases.Named(chunking));

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => Assert.True(request.Approve()));

        ToolApprovalRequested asked = Assert.Single(events.OfType<ToolApprovalRequested>());
        Assert.Equal(("toolu_refund", "refund", "ORD-1"), (asked.ToolCallId, asked.ToolName, asked.Input.GetProperty("query").GetString()));
        Assert.True(events.IndexOf(asked) < events.FindIndex(e => e is ToolExecutionStarted));
        Assert.Equal(["ORD-1"], ran);
        Assert.False(asked.Approve()); // answered already
        Assert.False(asked.Deny("too late"));
        Assert.Equal("refunded ORD-1", ToolResultSent(harness));
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task Denied_TheToolDoesNotRunAndTheModelIsToldWhy(string chunking)
    {
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran)]);
        harness.Handler.RespondWith(CallsRefund(), ChunkingCases.Named(chunking)).RespondWith(Answers(), ChunkingCases.Named(chunking));

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => Assert.True(request.Deny("the customer already got a voucher")));

        Assert.Empty(ran);
        Assert.DoesNotContain(events, e => e is ToolExecutionStarted);
        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.True(completed.IsError);
        Assert.Equal("The user declined this 'refund' call, so it was not run: the customer already got a voucher", completed.Result);
        Assert.Equal(completed.Result, ToolResultSent(harness));
        Assert.True(harness.Handler.Requests[1].ParseBody().GetProperty("messages")[2].GetProperty("content")[0].GetProperty("is_error").GetBoolean());
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome); // the model went on
    }

    [Fact]
    public async Task Unanswered_TimesOutAsNotApproved()
    {
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran)], options => options.ApprovalTimeout = TimeSpan.FromMilliseconds(50));
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());
        ToolApprovalRequested? asked = null;

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => asked = request);

        Assert.Empty(ran);
        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.Equal((true, "Nobody approved this 'refund' call in time, so it was not run."), (completed.IsError, completed.Result));
        Assert.False(asked!.Approve()); // too late
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task TwoParallelCalls_OnlyTheOneNeedingApprovalWaits(string chunking)
    {
        var ran = new List<string>();
        AgentTool lookup = TestTools.Lookup();
        var harness = new AgentRunnerTestHarness([Refund(ran), lookup]);
        harness.Handler
            .RespondWith(
                new TranscriptBuilder().ToolUse("refund", """{"query":"ORD-1"}""", id: "toolu_refund").ToolUse("lookup", """{"query":"ORD-2"}""", id: "toolu_lookup").Stop(StopReason.ToolUse),
                ChunkingCases.Named(chunking))
            .RespondWith(Answers(), ChunkingCases.Named(chunking));
        var events = new List<AgentEvent>();
        ToolApprovalRequested? pending = null;
        bool lookupDone = false, approved = false;

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Refund ORD-1, and where is ORD-2?").WithCancellation(new CancellationTokenSource(Waiting.Guard).Token))
        {
            events.Add(agentEvent);
            pending ??= agentEvent as ToolApprovalRequested; // not answered yet
            lookupDone |= agentEvent is ToolCallCompleted { ToolCallId: "toolu_lookup" };
            if (pending is not null && lookupDone && !approved)
            {
                // The other call finished (it did not wait) while the refund still waits for its answer.
                Assert.Empty(ran);
                approved = pending.Approve();
                Assert.True(approved);
            }
        }

        Assert.Equal(["ORD-1"], ran);
        Assert.Equal(["toolu_lookup", "toolu_refund"], events.OfType<ToolCallCompleted>().Select(e => e.ToolCallId));
        Assert.Equal("toolu_refund", Assert.Single(events.OfType<ToolApprovalRequested>()).ToolCallId);
        JsonElement results = harness.Handler.Requests[1].ParseBody().GetProperty("messages")[2].GetProperty("content");
        Assert.Equal(["toolu_refund", "toolu_lookup"], results.EnumerateArray().Select(r => r.GetProperty("tool_use_id").GetString()));
    }

    [Fact]
    public async Task Condition_OnlyMatchingInputsWait()
    {
        var ran = new List<string>();
        AgentTool refund = Refund(ran, requiresApproval: false, condition: input => input.GetProperty("limit").GetInt32() > 100);
        var harness = new AgentRunnerTestHarness([refund]);
        harness.Handler.RespondWith(CallsRefund("20")).RespondWith(CallsRefund("500")).RespondWith(Answers());

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => request.Deny());

        Assert.Equal(["ORD-1"], ran); // the small refund ran unasked; the large one was denied
        Assert.Single(events.OfType<ToolApprovalRequested>());
        Assert.Equal("The user declined this 'refund' call, so it was not run.", events.OfType<ToolCallCompleted>().Last().Result);
    }

    [Fact]
    public async Task Condition_ThatThrows_AsksForApproval()
    {
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran, requiresApproval: false, condition: _ => throw new InvalidOperationException("bug"))]);
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => request.Approve());

        Assert.Single(events.OfType<ToolApprovalRequested>());
        Assert.Equal(["ORD-1"], ran);
    }

    [Fact]
    public async Task ReadOnlyTool_MarkedForApproval_WaitsToo()
    {
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran, isReadOnly: true)]);
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => request.Approve());

        Assert.True(events.FindIndex(e => e is ToolApprovalRequested) < events.FindIndex(e => e is ToolExecutionStarted));
        Assert.True(Assert.Single(events.OfType<ToolExecutionStarted>()).IsEager);
        Assert.Equal(["ORD-1"], ran);
    }

    [Fact]
    public async Task ApprovalEvent_HasItsWireShape_AndACopyCannotAnswer()
    {
        var harness = new AgentRunnerTestHarness([Refund([])]);
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => request.Approve());

        ToolApprovalRequested asked = Assert.Single(events.OfType<ToolApprovalRequested>());
        JsonElement json = JsonSerializer.SerializeToElement<AgentEvent>(asked, AgentJsonContext.Default.AgentEvent);
        Assert.Equal("tool_approval_requested", json.GetProperty("type").GetString());
        Assert.Equal("toolu_refund", json.GetProperty("tool_call_id").GetString());
        Assert.Equal("refund", json.GetProperty("tool_name").GetString());
        Assert.Equal(20, json.GetProperty("input").GetProperty("limit").GetInt32());
        var readBack = (ToolApprovalRequested)json.Deserialize(AgentJsonContext.Default.AgentEvent)!;
        Assert.Equal(asked.ToolCallId, readBack.ToolCallId);
        var error = Assert.Throws<InvalidOperationException>(() => readBack.Approve());
        Assert.Contains("AgentRunManager", error.Message);
    }

    [Fact]
    public async Task Denials_DoNotCountAsToolFailures()
    {
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran)], options => options.MaxConsecutiveToolErrors = 1);
        harness.Handler.RespondWith(CallsRefund()).RespondWith(CallsRefund()).RespondWith(CallsRefund()).RespondWith(Answers());

        List<AgentEvent> events = await RunAnsweringAsync(harness, request => request.Deny());

        Assert.Equal(3, events.OfType<ToolCallCompleted>().Count(e => e.IsError));
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome); // not tool_error_limit
    }

    [Fact]
    public async Task DeadlineWhileWaitingForApproval_EndsTheRunWithoutRunningTheTool()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran)], time: time);
        harness.Handler.RespondWith(CallsRefund());
        var request = new MessageRequest { Messages = [MessageParam.User("Refund ORD-1")] };

        Task<List<AgentEvent>> run = AgentRunnerTestHarness.CollectAsync(harness.Runner.RunAsync(request, new AgentRunOptions { Deadline = time.GetUtcNow().AddMinutes(1) }));
        List<AgentEvent> events = await FakeClock.RunAsync(time, run, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30));

        Assert.Single(events.OfType<ToolApprovalRequested>());
        Assert.Empty(ran);
        Assert.Equal(AgentRunOutcome.DeadlineExceeded, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Fact]
    public async Task ApprovalTimeout_OnTheRunnersClock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var ran = new List<string>();
        var harness = new AgentRunnerTestHarness([Refund(ran)], options => options.ApprovalTimeout = TimeSpan.FromMinutes(5), time);
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());

        Task<List<AgentEvent>> run = AgentRunnerTestHarness.CollectAsync(harness.Runner.RunAsync("Refund ORD-1"));
        List<AgentEvent> events = await FakeClock.RunAsync(time, run, TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));

        Assert.Empty(ran);
        ToolApprovalRequested asked = Assert.Single(events.OfType<ToolApprovalRequested>());
        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.Equal("Nobody approved this 'refund' call in time, so it was not run.", completed.Result);
        Assert.InRange(completed.Timestamp - asked.Timestamp, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6));
    }
}
