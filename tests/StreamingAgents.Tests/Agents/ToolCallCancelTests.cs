using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>The consumer cancels one tool call: it gets a "cancelled by the user" result and the run goes on.</summary>
public sealed class ToolCallCancelTests
{
    private static TranscriptBuilder CallsBoth() => new TranscriptBuilder()
        .ToolUse("slow", "{}", id: "toolu_slow")
        .ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_lookup")
        .Stop(StopReason.ToolUse);

    private static TranscriptBuilder Answers() => new TranscriptBuilder().Text("Here is what I found.").Stop(StopReason.EndTurn);

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task RunningCall_Cancelled_ReportsCancelledByTheUserAndTheRunGoesOn(string chunking)
    {
        var slowCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("slow", slowCancelled), TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsBoth(), ChunkingCases.Named(chunking)).RespondWith(Answers(), ChunkingCases.Named(chunking));
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Where is ORD-1?").WithCancellation(new CancellationTokenSource(Waiting.Guard).Token))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolExecutionStarted { ToolCallId: "toolu_slow" } started)
            {
                Assert.True(started.Cancel());
                Assert.False(started.Cancel()); // once
            }
        }

        await slowCancelled.Task.WaitAsync(Waiting.Guard); // its token was cancelled
        ToolCallCompleted slow = events.OfType<ToolCallCompleted>().Single(e => e.ToolCallId == "toolu_slow");
        Assert.Equal((true, "The user cancelled this 'slow' call."), (slow.IsError, slow.Result));
        Assert.False(events.OfType<ToolCallCompleted>().Single(e => e.ToolCallId == "toolu_lookup").IsError);
        Assert.DoesNotContain(events, e => e is ToolCallDiscarded);
        RunCompleted ending = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Completed, 2), (ending.Outcome, ending.TurnCount));
        var results = (IReadOnlyList<ContentBlock>)ending.Conversation[2].Content;
        Assert.True(Assert.IsType<ToolResultBlock>(results[0]).IsError);
    }

    [Fact]
    public async Task CallCancelledBeforeItRuns_NeverRuns()
    {
        int runs = 0;
        AgentTool sideEffect = AgentTool.Create("send_email", "Sends an email.", TestJsonContext.Default.EmptyInput, (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return ValueTask.FromResult(ToolResult.Text("sent"));
        });
        var harness = new AgentRunnerTestHarness([sideEffect]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("send_email", "{}", id: "toolu_mail").Stop(StopReason.ToolUse)).RespondWith(Answers());
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Email them."))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolCallStarted started)
            {
                Assert.True(started.Cancel()); // while the model is still writing the call
            }
        }

        Assert.Equal(0, runs);
        Assert.DoesNotContain(events, e => e is ToolExecutionStarted);
        Assert.Equal("The user cancelled this 'send_email' call.", Assert.Single(events.OfType<ToolCallCompleted>()).Result);
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Fact]
    public async Task FinishedCall_CannotBeCancelled()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Stop(StopReason.ToolUse)).RespondWith(Answers());
        ToolCallStarted? started = null;
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Where is ORD-1?"))
        {
            events.Add(agentEvent);
            started ??= agentEvent as ToolCallStarted;
            if (agentEvent is ToolCallCompleted)
            {
                Assert.False(started!.Cancel());
            }
        }

        Assert.False(Assert.Single(events.OfType<ToolCallCompleted>()).IsError);
    }

    [Fact]
    public async Task CallWaitingForApproval_Cancelled_IsCancelledNotDenied()
    {
        AgentTool refund = AgentTool.Create("refund", "Refunds.", TestJsonContext.Default.EmptyInput, (_, _) => ValueTask.FromResult(ToolResult.Text("refunded")), requiresApproval: true);
        var harness = new AgentRunnerTestHarness([refund]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("refund", "{}", id: "toolu_r").Stop(StopReason.ToolUse)).RespondWith(Answers());
        ToolCallStarted? started = null;
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Refund it."))
        {
            events.Add(agentEvent);
            started ??= agentEvent as ToolCallStarted;
            if (agentEvent is ToolApprovalRequested request)
            {
                Assert.True(started!.Cancel());
                Assert.False(request.Approve());
            }
        }

        Assert.Equal("The user cancelled this 'refund' call.", Assert.Single(events.OfType<ToolCallCompleted>()).Result);
    }

    [Fact]
    public async Task RunningTool_ThatFinishesAnyway_KeepsItsRealResult()
    {
        var mayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int refunds = 0;
        AgentTool stubborn = AgentTool.Create("refund", "Refunds, ignoring cancellation.", TestJsonContext.Default.EmptyInput, async (_, _) =>
        {
            await mayFinish.Task; // ignores its token
            Interlocked.Increment(ref refunds);
            return ToolResult.Text("refunded");
        });
        var harness = new AgentRunnerTestHarness([stubborn]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("refund", "{}", id: "toolu_r").Stop(StopReason.ToolUse)).RespondWith(Answers());
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Refund it.").WithCancellation(new CancellationTokenSource(Waiting.Guard).Token))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolExecutionStarted started)
            {
                Assert.True(started.Cancel());
                mayFinish.SetResult();
            }
        }

        // The refund happened: the model must hear that, not that it was cancelled.
        Assert.Equal(1, refunds);
        Assert.Equal((false, "refunded"), (Assert.Single(events.OfType<ToolCallCompleted>()).IsError, Assert.Single(events.OfType<ToolCallCompleted>()).Result));
    }

    [Fact]
    public async Task ApproveAndCancelAtOnce_OneOutcome_TheReportedResultMatchesWhatRan()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int ran = 0;
            AgentTool refund = AgentTool.Create("refund", "Refunds.", TestJsonContext.Default.EmptyInput, (_, _) =>
            {
                Interlocked.Increment(ref ran);
                return ValueTask.FromResult(ToolResult.Text("refunded"));
            }, requiresApproval: true);
            var harness = new AgentRunnerTestHarness([refund]);
            harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("refund", "{}", id: "toolu_r").Stop(StopReason.ToolUse)).RespondWith(Answers());
            ToolCallStarted? started = null;
            bool approved = false, cancelled = false;
            var events = new List<AgentEvent>();

            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Refund it.").WithCancellation(new CancellationTokenSource(Waiting.Guard).Token))
            {
                events.Add(agentEvent);
                started ??= agentEvent as ToolCallStarted;
                if (agentEvent is ToolApprovalRequested request)
                {
                    Task<bool> approve = Task.Run(request.Approve);
                    Task<bool> cancel = Task.Run(started!.Cancel);
                    (approved, cancelled) = (await approve, await cancel);
                }
            }

            ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
            Assert.True(approved || cancelled);
            Assert.Equal(Volatile.Read(ref ran) == 1, completed.Result == "refunded"); // never "cancelled" after it ran, nor the reverse
            if (cancelled && !approved)
            {
                Assert.Equal(0, Volatile.Read(ref ran)); // cancelled before it was approved: it never ran
            }
        }
    }
}
