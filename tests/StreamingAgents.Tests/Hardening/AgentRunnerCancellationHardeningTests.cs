using System.Net;
using System.Text;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// Cancelling a run while tools run: whatever the tools throw when cancelled, the consumer sees
/// <see cref="OperationCanceledException"/>, no tool outlives the enumeration, no tool reports a completion, and no
/// exception goes unobserved.
/// </summary>
public sealed class AgentRunnerCancellationHardeningTests
{
    [Fact]
    public async Task RunAsync_CancelledWithTheRestOfTheAnswerBuffered_TheNextStepThrows()
    {
        // The whole answer is in memory, so every later step could complete at once from the buffer: cancellation
        // must still win over buffered events.
        byte[] answer = Encoding.UTF8.GetBytes(new TranscriptBuilder().MessageStart().TextTokens([.. Enumerable.Repeat("word ", 200)]).Stop(StopReason.EndTurn).ToString());
        StreamingAgents.Http.AnthropicClient client = ClientFactory.Create(new InMemoryAnswerHandler(answer));
        using var cancellation = new CancellationTokenSource();
        await using IAsyncEnumerator<AgentEvent> events = new AgentRunner(client, new ToolRegistry()).RunAsync(ClientFactory.Hello, cancellation.Token).GetAsyncEnumerator();
        while (await events.MoveNextAsync() && events.Current is not TextReceived)
        {
        }

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await events.MoveNextAsync());
    }

    [Fact]
    public async Task RunAsync_CancelledWhileOneToolThrowsIOExceptionAndAnotherIsSlowToNotice_EndsWithCancellationAfterBothTools()
    {
        using var unobserved = new UnobservedExceptionRecorder();
        var counters = new ToolCounters(expected: 2);
        AgentTool breaker = TestTools.Lookup("breaker", async (input, context) =>
        {
            counters.Enter();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
                return ToolResult.Text("unreachable");
            }
            catch (OperationCanceledException)
            {
                // A socket closed under it: the tool answers cancellation with an IOException.
                throw new IOException($"The connection was aborted ({unobserved.Marker}).");
            }
            finally
            {
                counters.Exit();
            }
        }, isReadOnly: false);
        AgentTool slow = TestTools.Lookup("slow", async (input, context) =>
        {
            counters.Enter();
            try
            {
                // Polls instead of watching the token, then cleans up without looking at it.
                while (!context.CancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(10);
                }

                await Task.Delay(300);
                context.CancellationToken.ThrowIfCancellationRequested();
                return ToolResult.Text("unreachable");
            }
            finally
            {
                counters.Exit();
            }
        }, isReadOnly: false);
        var harness = new AgentRunnerTestHarness([breaker, slow]);
        harness.Handler.RespondWith(new TranscriptBuilder()
            .ToolUse("breaker", """{"query":"a"}""", id: "toolu_breaker")
            .ToolUse("slow", """{"query":"b"}""", id: "toolu_slow")
            .Stop(StopReason.ToolUse));
        using var cancellation = new CancellationTokenSource();
        var events = new List<AgentEvent>();

        Exception? error = await Record.ExceptionAsync(async () =>
        {
            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go", cancellationToken: cancellation.Token))
            {
                events.Add(agentEvent);
                if (events.OfType<ToolExecutionStarted>().Count() == 2 && !cancellation.IsCancellationRequested)
                {
                    await counters.AllEntered.WaitAsync(Waiting.Guard);
                    await cancellation.CancelAsync();
                }
            }
        }).WaitAsync(Waiting.Guard);

        // Read right away: every tool must have returned or thrown before the enumeration ended.
        int exited = counters.Exited;
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(2, counters.Entered);
        Assert.Equal(2, exited);
        Assert.DoesNotContain(events, e => e is ToolCallCompleted or RunCompleted);
        unobserved.AssertNoneAfterCollection();
    }

    public static TheoryData<string, bool> Failures_Phases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string failure in new[] { "invalid-operation", "io", "http", "aggregate-of-cancellation" })
        {
            data.Add(failure, true);
            data.Add(failure, false);
        }

        return data;
    }

    /// <summary>
    /// <paramref name="isEager"/>: two read-only tools start while the model's message is still streaming (the
    /// stream is cancelled with them); otherwise two tools with side effects run after the message ended.
    /// </summary>
    [Theory]
    [MemberData(nameof(Failures_Phases))]
    public async Task RunAsync_ToolsThrowNonCancellationAfterRunCancelled_NoCompletionEventsAndNothingUnobserved(string failure, bool isEager)
    {
        using var unobserved = new UnobservedExceptionRecorder();
        var counters = new ToolCounters(expected: 2);
        AgentTool Throwing(string name) => TestTools.Lookup(name, async (input, context) =>
        {
            counters.Enter();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
                return ToolResult.Text("unreachable");
            }
            catch (OperationCanceledException cancelled)
            {
                throw Failure(failure, $"{name} gave up ({unobserved.Marker})", cancelled);
            }
            finally
            {
                counters.Exit();
            }
        }, isReadOnly: isEager);

        var harness = new AgentRunnerTestHarness([Throwing("first"), Throwing("second")]);
        TranscriptBuilder script = new TranscriptBuilder()
            .ToolUse("first", """{"query":"a"}""", id: "toolu_first")
            .ToolUse("second", """{"query":"b"}""", id: "toolu_second");
        GatedStream? gated = null;
        if (isEager)
        {
            // The message goes on after the two calls, but that part never arrives: the stream is still open when
            // the run is cancelled.
            string calls = script.ToString();
            string transcript = script.Text("And more text.").Stop(StopReason.ToolUse).ToString();
            gated = new GatedStream(Encoding.UTF8.GetBytes(calls), Encoding.UTF8.GetBytes(transcript[calls.Length..]));
            harness.Handler.RespondWith((_, _) => FakeResponses.Stream(gated));
        }
        else
        {
            harness.Handler.RespondWith(script.Stop(StopReason.ToolUse));
        }

        using var cancellation = new CancellationTokenSource();
        var events = new List<AgentEvent>();

        Exception? error = await Record.ExceptionAsync(async () =>
        {
            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go", cancellationToken: cancellation.Token))
            {
                events.Add(agentEvent);
                if (events.OfType<ToolExecutionStarted>().Count() == 2 && !cancellation.IsCancellationRequested)
                {
                    await counters.AllEntered.WaitAsync(Waiting.Guard);
                    await cancellation.CancelAsync();
                }
            }
        }).WaitAsync(Waiting.Guard);

        int exited = counters.Exited;
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(2, exited);
        Assert.Empty(events.OfType<ToolCallCompleted>());
        Assert.DoesNotContain(events, e => e is RunCompleted);
        if (gated is not null)
        {
            Assert.All(events.OfType<ToolExecutionStarted>(), started => Assert.True(started.IsEager));
        }

        unobserved.AssertNoneAfterCollection();
    }

    /// <summary>
    /// The documented contract (AgentRun.ExecuteToolAsync: "a discarded call reports nothing more") also covers a
    /// tool that ignores cancellation and returns a normal result afterwards.
    /// </summary>
    [Fact]
    public async Task RunAsync_ToolReturnsResultAfterRunCancelled_NoCompletionEvent()
    {
        var counters = new ToolCounters(expected: 1);
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AgentTool stubborn = TestTools.Lookup("stubborn", async (input, context) =>
        {
            counters.Enter();
            try
            {
                while (!context.CancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(10);
                }

                return ToolResult.Text("finished anyway");
            }
            finally
            {
                counters.Exit();
                returned.TrySetResult();
            }
        }, isReadOnly: false);
        var harness = new AgentRunnerTestHarness([stubborn]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("stubborn", """{"query":"a"}""", id: "toolu_stubborn").Stop(StopReason.ToolUse));
        using var cancellation = new CancellationTokenSource();
        var events = new List<AgentEvent>();

        Exception? error = await Record.ExceptionAsync(async () =>
        {
            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go", cancellationToken: cancellation.Token))
            {
                events.Add(agentEvent);
                if (agentEvent is ToolExecutionStarted)
                {
                    await counters.AllEntered.WaitAsync(Waiting.Guard);
                    await cancellation.CancelAsync();
                }
            }
        }).WaitAsync(Waiting.Guard);

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.True(returned.Task.IsCompleted);
        Assert.Empty(events.OfType<ToolCallCompleted>());
    }

    /// <summary>
    /// The same for a discard that is not a cancellation: a turn whose stream fails mid-way is retried, and a read-only
    /// tool it had started eagerly (which ignores the discard and returns a result) must be reported discarded, not
    /// completed.
    /// </summary>
    [Fact]
    public async Task RunAsync_EagerToolReturnsResultAfterItsTurnWasDiscarded_ReportedDiscardedNotCompleted()
    {
        var counters = new ToolCounters(expected: 1);
        AgentTool stubborn = TestTools.Lookup("stubborn", async (input, context) =>
        {
            counters.Enter();
            try
            {
                while (!context.CancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(10);
                }

                return ToolResult.Text($"finished anyway: {input.Query}");
            }
            finally
            {
                counters.Exit();
            }
        }, isReadOnly: true);
        var harness = new AgentRunnerTestHarness([stubborn], o => o.MaxStreamRetries = 1);

        // Attempt 1: the call's block completes (the tool starts eagerly); only once the tool runs does the stream
        // go on, with a retryable error event. Attempt 2 answers without tools.
        TranscriptBuilder first = new TranscriptBuilder().ToolUse("stubborn", """{"query":"first"}""", id: "toolu_discarded");
        string call = first.ToString();
        string failing = first.Error("overloaded_error", "Overloaded").ToString();
        var body = new GatedStream(Encoding.UTF8.GetBytes(call), Encoding.UTF8.GetBytes(failing[call.Length..]));
        harness.Handler
            .RespondWith((_, _) => FakeResponses.Stream(body))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go").WithCancellation(CancellationToken.None))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolExecutionStarted)
            {
                await counters.AllEntered.WaitAsync(Waiting.Guard);
                body.Open();
            }
        }

        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        Assert.Equal(1, counters.Exited);
        Assert.Single(events.OfType<TurnRetrying>());
        Assert.DoesNotContain(events.OfType<ToolCallCompleted>(), e => e.ToolCallId == "toolu_discarded");
        ToolCallDiscarded discarded = Assert.Single(events.OfType<ToolCallDiscarded>());
        Assert.Equal(("toolu_discarded", true), (discarded.ToolCallId, discarded.WasExecuting));
    }

    private static Exception Failure(string kind, string message, OperationCanceledException cancelled) => kind switch
    {
        "io" => new IOException(message, cancelled),
        "http" => new HttpRequestException(HttpRequestError.ConnectionError, message, cancelled, HttpStatusCode.BadGateway),
        "aggregate-of-cancellation" => new AggregateException(message, cancelled),
        _ => new InvalidOperationException(message, cancelled),
    };
}
