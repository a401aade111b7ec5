using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Runs;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Runs;

/// <summary>Answering a detached run's tool calls by run ID and call ID: approve, deny, cancel one.</summary>
public sealed class DetachedToolCallTests
{
    private static readonly MessageRequest s_question = new() { Messages = [MessageParam.User("Refund ORD-1")] };

    private static AgentTool Refund(List<string> ran) => AgentTool.Create("refund", "Refunds an order.", TestJsonContext.Default.LookupInput, (input, _) =>
    {
        lock (ran)
        {
            ran.Add(input.Query);
        }

        return ValueTask.FromResult(ToolResult.Text($"refunded {input.Query}"));
    }, requiresApproval: true);

    private static TranscriptBuilder CallsRefund() => new TranscriptBuilder().ToolUse("refund", """{"query":"ORD-1"}""", id: "toolu_refund").Stop(StopReason.ToolUse);

    private static TranscriptBuilder Answers() => new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn);

    private static (AgentRunManager Manager, AgentRunnerTestHarness Harness, InMemoryAgentRunStore Store) Create(params AgentTool[] tools)
    {
        var harness = new AgentRunnerTestHarness(tools);
        var store = new InMemoryAgentRunStore();
        return (new AgentRunManager(harness.Runner, store), harness, store);
    }

    /// <summary>Follows the run until <paramref name="type"/> is stored.</summary>
    private static async Task WaitForEventAsync(AgentRunManager manager, string runId, string type, string? owner = null)
    {
        await foreach (SerializedAgentEvent agentEvent in manager.SubscribeAsync(runId, owner: owner).WithCancellation(new CancellationTokenSource(Waiting.Guard).Token))
        {
            if (agentEvent.EventType == type)
            {
                return;
            }
        }

        Assert.Fail($"The run ended without {type}.");
    }

    private static async Task<List<AgentEvent>> EventsAsync(AgentRunManager manager, AgentRunHandle run)
    {
        await run.Completion.WaitAsync(Waiting.Guard);
        return [.. (await manager.SubscribeAsync(run.RunId, owner: run.Owner).ToListAsync()).Select(e => e.ToAgentEvent())];
    }

    [Fact]
    public async Task Approve_ByRunAndCallId_RunsTheTool()
    {
        var ran = new List<string>();
        (AgentRunManager manager, AgentRunnerTestHarness harness, _) = Create(Refund(ran));
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());
        await using (manager)
        {
            AgentRunHandle run = await manager.StartAsync(s_question, owner: "alice");
            await WaitForEventAsync(manager, run.RunId, AgentEventTypes.ToolApprovalRequested, "alice");

            await Assert.ThrowsAsync<AgentRunNotFoundException>(() => manager.ApproveToolCallAsync(run.RunId, "toolu_refund", owner: "mallory"));
            Assert.False(await manager.ApproveToolCallAsync(run.RunId, "toolu_unknown", owner: "alice"));
            Assert.True(await run.ApproveToolCallAsync("toolu_refund"));
            Assert.False(await manager.DenyToolCallAsync(run.RunId, "toolu_refund", owner: "alice")); // answered already

            List<AgentEvent> events = await EventsAsync(manager, run);
            Assert.Equal(["ORD-1"], ran);
            Assert.Equal("refunded ORD-1", Assert.Single(events.OfType<ToolCallCompleted>()).Result);
            Assert.False(await manager.ApproveToolCallAsync(run.RunId, "toolu_refund", owner: "alice")); // the run has ended
        }
    }

    [Fact]
    public async Task Deny_ByRunAndCallId_TellsTheModelWhy()
    {
        var ran = new List<string>();
        (AgentRunManager manager, AgentRunnerTestHarness harness, _) = Create(Refund(ran));
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());
        await using (manager)
        {
            AgentRunHandle run = await manager.StartAsync(s_question);
            await WaitForEventAsync(manager, run.RunId, AgentEventTypes.ToolApprovalRequested);

            Assert.True(await manager.DenyToolCallAsync(run.RunId, "toolu_refund", reason: "not without a receipt"));

            List<AgentEvent> events = await EventsAsync(manager, run);
            Assert.Empty(ran);
            ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
            Assert.Equal((true, "The user declined this 'refund' call, so it was not run: not without a receipt"), (completed.IsError, completed.Result));
            Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        }
    }

    [Fact]
    public async Task CancelOneTool_ByRunAndCallId_TheRunGoesOn()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (AgentRunManager manager, AgentRunnerTestHarness harness, _) = Create(TestTools.Hanging("slow", cancelled));
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("slow", "{}", id: "toolu_slow").Stop(StopReason.ToolUse)).RespondWith(Answers());
        await using (manager)
        {
            AgentRunHandle run = await manager.StartAsync(s_question);
            await WaitForEventAsync(manager, run.RunId, AgentEventTypes.ToolExecutionStarted);

            Assert.True(await run.CancelToolCallAsync("toolu_slow"));

            List<AgentEvent> events = await EventsAsync(manager, run);
            await cancelled.Task.WaitAsync(Waiting.Guard);
            Assert.Equal("The user cancelled this 'slow' call.", Assert.Single(events.OfType<ToolCallCompleted>()).Result);
            Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        }
    }

    [Fact]
    public async Task AnotherInstance_OverTheSameStore_SendsTheAnswerThroughIt()
    {
        var ran = new List<string>();
        (AgentRunManager manager, AgentRunnerTestHarness harness, InMemoryAgentRunStore store) = Create(Refund(ran));
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());
        await using var other = new AgentRunManager(harness.Runner, store);
        await using (manager)
        {
            AgentRunHandle run = await manager.StartAsync(s_question);
            await WaitForEventAsync(manager, run.RunId, AgentEventTypes.ToolApprovalRequested);

            Assert.True(await other.ApproveToolCallAsync(run.RunId, "toolu_refund")); // sent to the instance running it

            List<AgentEvent> events = await EventsAsync(manager, run);
            Assert.Equal(["ORD-1"], ran);
            Assert.False(Assert.Single(events.OfType<ToolCallCompleted>()).IsError);
            Assert.False(await other.ApproveToolCallAsync(run.RunId, "toolu_refund")); // completed: nothing is sent
        }
    }

    [Fact]
    public async Task AnotherInstance_OverAStoreWithoutCommands_SaysTheRunIsElsewhere()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness, InMemoryAgentRunStore store) = Create(Refund([]));
        harness.Handler.RespondWith(CallsRefund()).RespondWith(Answers());
        await using var other = new AgentRunManager(harness.Runner, new StoreWithoutCommands(store));
        await using (manager)
        {
            AgentRunHandle run = await manager.StartAsync(s_question);
            await WaitForEventAsync(manager, run.RunId, AgentEventTypes.ToolApprovalRequested);

            var error = await Assert.ThrowsAsync<AgentRunElsewhereException>(() => other.ApproveToolCallAsync(run.RunId, "toolu_refund"));
            Assert.Equal(run.RunId, error.RunId);
            Assert.True(await run.ApproveToolCallAsync("toolu_refund"));
            await run.Completion.WaitAsync(Waiting.Guard);
        }
    }

    /// <summary>A store written before tool call commands: it implements only the run's events and cancellation.</summary>
    private sealed class StoreWithoutCommands(IAgentRunStore inner) : IAgentRunStore
    {
        public ValueTask CreateAsync(AgentRunRecord run, CancellationToken cancellationToken = default) => inner.CreateAsync(run, cancellationToken);

        public ValueTask<AgentRunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default) => inner.GetAsync(runId, cancellationToken);

        public ValueTask AppendAsync(string runId, SerializedAgentEvent agentEvent, CancellationToken cancellationToken = default) => inner.AppendAsync(runId, agentEvent, cancellationToken);

        public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => inner.CompleteAsync(runId, cancellationToken);

        public IAsyncEnumerable<SerializedAgentEvent> ReadAsync(string runId, long afterSequence, CancellationToken cancellationToken = default) => inner.ReadAsync(runId, afterSequence, cancellationToken);

        public ValueTask RequestCancellationAsync(string runId, CancellationToken cancellationToken = default) => inner.RequestCancellationAsync(runId, cancellationToken);

        public Task WaitForCancellationAsync(string runId, CancellationToken cancellationToken = default) => inner.WaitForCancellationAsync(runId, cancellationToken);
    }
}
