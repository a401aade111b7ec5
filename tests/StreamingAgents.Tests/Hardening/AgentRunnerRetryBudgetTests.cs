using System.Net;
using StreamingAgents.Agents;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// The client retries failures before the first event (MaxRetries); the runner retries only failures after it
/// (MaxStreamRetries). The two budgets add up per failure; they never multiply.
/// </summary>
public sealed class AgentRunnerRetryBudgetTests
{
    private static readonly HttpStatusCode s_overloaded = (HttpStatusCode)529;

    [Fact]
    public async Task RunAsync_Persistent529WithoutClientRetries_SendsExactlyOneRequestAndFails()
    {
        // The harness's client has MaxRetries = 0; the runner keeps its default MaxStreamRetries (2).
        var harness = new AgentRunnerTestHarness([], o => o.MaxStreamRetries = 2);
        ScriptOverloaded(harness.Handler, 20);

        List<AgentEvent> events = await harness.RunAsync().WaitAsync(Waiting.Guard);

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Failed, result.Outcome);
        Assert.Equal("overloaded_error", result.Error!.Type);
        Assert.Single(harness.Handler.Requests);
        Assert.Empty(events.OfType<TurnRetrying>());
    }

    [Fact]
    public async Task RunAsync_Persistent529WithTwoClientRetriesAndTwoStreamRetries_SendsThreeRequestsNotNine()
    {
        var handler = new FakeAnthropicHandler();
        ScriptOverloaded(handler, 20);
        AgentRunner runner = CreateRunner(handler, clientRetries: 2, streamRetries: 2);

        List<AgentEvent> events = await AgentRunnerTestHarness.CollectAsync(runner.RunAsync("Go")).WaitAsync(Waiting.Guard);

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, "overloaded_error"), (result.Outcome, result.Error!.Type));
        Assert.Equal(3, handler.Requests.Count);
        Assert.Empty(events.OfType<TurnRetrying>());
        Assert.Single(events.OfType<TurnStarted>());
    }

    [Fact]
    public async Task RunAsync_StreamDropsAfterItsFirstEventEveryTime_IsRetriedMaxStreamRetriesTimes()
    {
        var handler = new FakeAnthropicHandler();
        Transcript answer = new TranscriptBuilder().Text("This will be cut off").Stop(StopReason.EndTurn).Build();
        var drop = new ChunkedStreamOptions { EndAfterBytes = answer.Text.LastIndexOf("event: content_block_delta", StringComparison.Ordinal), Ending = StreamEnding.Drop };
        for (int i = 0; i < 6; i++)
        {
            handler.RespondWith(answer, Chunking.PerEvent, drop);
        }

        // The client's own retries do not apply once an event has reached the caller.
        AgentRunner runner = CreateRunner(handler, clientRetries: 2, streamRetries: 2);

        List<AgentEvent> events = await AgentRunnerTestHarness.CollectAsync(runner.RunAsync("Go")).WaitAsync(Waiting.Guard);

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, AgentError.ConnectionType), (result.Outcome, result.Error!.Type));
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal([2, 3], events.OfType<TurnRetrying>().Select(e => e.NextAttempt));
        Assert.Equal([1, 2, 3], events.OfType<TurnStarted>().Select(e => e.Attempt));
        Assert.Contains(events, e => e is TextReceived);
    }

    [Fact]
    public async Task RunAsync_MidStreamDropThenPersistent529_RetryAttemptGetsOnlyTheClientBudget()
    {
        var handler = new FakeAnthropicHandler();
        Transcript answer = new TranscriptBuilder().Text("This will be cut off").Stop(StopReason.EndTurn).Build();
        var drop = new ChunkedStreamOptions { EndAfterBytes = answer.Text.LastIndexOf("event: content_block_delta", StringComparison.Ordinal), Ending = StreamEnding.Drop };
        handler.RespondWith(answer, Chunking.PerEvent, drop);
        ScriptOverloaded(handler, 20);
        AgentRunner runner = CreateRunner(handler, clientRetries: 1, streamRetries: 2);

        List<AgentEvent> events = await AgentRunnerTestHarness.CollectAsync(runner.RunAsync("Go")).WaitAsync(Waiting.Guard);

        // Attempt 1 drops mid-stream (1 request) and is retried; attempt 2 fails before its first event after the
        // client's 1 + 1 requests, which ends the run: 3 requests, not 5.
        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, "overloaded_error"), (result.Outcome, result.Error!.Type));
        Assert.Equal(3, handler.Requests.Count);
        Assert.Single(events.OfType<TurnRetrying>());
    }

    private static void ScriptOverloaded(FakeAnthropicHandler handler, int count)
    {
        for (int i = 0; i < count; i++)
        {
            handler.RespondWithError(s_overloaded, "overloaded_error", $"Overloaded {i}");
        }
    }

    private static AgentRunner CreateRunner(FakeAnthropicHandler handler, int clientRetries, int streamRetries)
    {
        AnthropicClient client = ClientFactory.Create(handler, o => o.MaxRetries = clientRetries);
        var options = new AgentRunnerOptions { MaxStreamRetries = streamRetries, StreamRetryDelay = TimeSpan.FromMilliseconds(1) };
        return new AgentRunner(client, new ToolRegistry(), options);
    }
}
