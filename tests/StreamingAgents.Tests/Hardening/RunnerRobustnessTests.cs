using System.Net;
using Microsoft.Extensions.Logging;
using StreamingAgents.Agents;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>What must hold when the host's own pieces misbehave: its logger, its tools' exceptions, a chatty tool.</summary>
public sealed class RunnerRobustnessTests
{
    [Fact]
    public async Task RunAsync_LoggerThatThrows_StillEndsWithRunCompleted()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith((_, _) => FakeResponses.Error(HttpStatusCode.BadRequest, "invalid_request_error", "Bad request"))
            .RespondWith(new TranscriptBuilder().Text("Fine.").Stop(StopReason.EndTurn));
        var logger = new ThrowingLogger();
        var client = new AnthropicClient(new HttpClient(handler), new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey, MaxRetries = 0 }, logger: new ThrowingLogger<AnthropicClient>());
        var runner = new AgentRunner(client, new ToolRegistry(), new AgentRunnerOptions(), logger: new ThrowingLogger<AgentRunner>());

        RunCompleted failed = await runner.RunAsync("One").ToResultAsync().WaitAsync(Waiting.Guard);
        RunCompleted completed = await runner.RunAsync("Two").ToResultAsync().WaitAsync(Waiting.Guard);

        Assert.Equal((AgentRunOutcome.Failed, "invalid_request_error"), (failed.Outcome, failed.Error!.Type));
        Assert.Equal(AgentRunOutcome.Completed, completed.Outcome);
        _ = logger;
    }

    [Fact]
    public async Task RunAsync_ToolFailureThatCannotBeDescribed_EndsFailedAndDiscardsTheOtherCalls()
    {
        var cancelled = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness([
            TestTools.Lookup("broken", execute: (_, _) => throw new UndescribableException(), isReadOnly: false),
            TestTools.Hanging("watch", cancelled, isReadOnly: false),
        ]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("watch", "{}", id: "toolu_w").ToolUse("broken", """{"query":"x"}""", id: "toolu_b").Stop(StopReason.ToolUse));

        List<AgentEvent> events = await harness.RunAsync().WaitAsync(Waiting.Guard);

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, AgentError.InternalType), (result.Outcome, result.Error!.Type));
        var settled = events.OfType<ToolCallCompleted>().Select(e => e.ToolCallId).Concat(events.OfType<ToolCallDiscarded>().Select(e => e.ToolCallId));
        Assert.Equal(["toolu_b", "toolu_w"], settled.Order());
        Assert.Equal(ToolCallDiscarded.RunFailedReason, events.OfType<ToolCallDiscarded>().First().Reason);
    }

    [Fact]
    public async Task RunAsync_ToolFailingOutrightWhileTheRunWaitsOnAnotherThatRunsOn_StillEndsFailed()
    {
        // The failure comes after the runner has started waiting for the tools (it once waited for all of them to end,
        // and the other one never does until discarded).
        var cancelled = new TaskCompletionSource();
        var fail = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness([
            TestTools.Lookup("broken", execute: async (_, context) =>
            {
                await fail.Task.WaitAsync(context.CancellationToken);
                throw new UndescribableException();
            }, isReadOnly: false),
            TestTools.Hanging("watch", cancelled, isReadOnly: false),
        ]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("watch", "{}", id: "toolu_w").ToolUse("broken", """{"query":"x"}""", id: "toolu_b").Stop(StopReason.ToolUse));

        var events = new List<AgentEvent>();
        async Task ReadAsync()
        {
            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Where is ORD-1?"))
            {
                events.Add(agentEvent);
                if (events.OfType<ToolExecutionStarted>().Count() == 2 && !fail.Task.IsCompleted)
                {
                    _ = Task.Delay(50).ContinueWith(_ => fail.TrySetResult(), TaskScheduler.Default); // while the runner waits for the next event
                }
            }
        }

        await ReadAsync().WaitAsync(Waiting.Guard);
        Assert.Equal(AgentRunOutcome.Failed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        await cancelled.Task.WaitAsync(Waiting.Guard);
    }

    [Fact]
    public async Task RunAsync_ToolReportingStatusNonStopWhileTheConsumerWaits_KeepsTheBufferBoundedAndTheLatestStatus()
    {
        const int Reports = 100_000;
        var reported = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness(
            [TestTools.Lookup(execute: async (_, context) =>
            {
                for (int i = 1; i <= Reports; i++)
                {
                    context.ReportStatus($"step {i}");
                }

                reported.TrySetResult();
                await release.Task;
                return ToolResult.Text("done");
            })],
            o => o.MaxBufferedEvents = 16);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"a"}""").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));

        await using IAsyncEnumerator<AgentEvent> run = harness.Runner.RunAsync("Go").GetAsyncEnumerator();
        var events = new List<AgentEvent>();
        while (await run.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard))
        {
            events.Add(run.Current);
            if (run.Current is ToolExecutionStarted)
            {
                break; // then the consumer waits while the tool reports
            }
        }

        await reported.Task.WaitAsync(Waiting.Guard);
        release.SetResult();
        while (await run.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard))
        {
            events.Add(run.Current);
        }

        ToolStatusReported[] statuses = [.. events.OfType<ToolStatusReported>()];
        Assert.InRange(statuses.Length, 1, 64);
        Assert.Equal($"step {Reports}", statuses[^1].Status);
        Assert.True(statuses[^1].Sequence < events.OfType<ToolCallCompleted>().Single().Sequence);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    private sealed class UndescribableException : Exception
    {
        public override string Message => throw new InvalidOperationException("The message cannot be read.");
    }

    private class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => throw new InvalidOperationException("The log sink is broken.");

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new AggregateException(new IOException("The disk is full."));
    }

    private sealed class ThrowingLogger<T> : ThrowingLogger, ILogger<T>;
}
