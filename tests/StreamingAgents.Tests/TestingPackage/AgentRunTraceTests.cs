using StreamingAgents.Agents;
using StreamingAgents.Testing.Assertions;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Tests.TestingPackage;

public sealed class AgentRunTraceTests
{
    private static readonly string[] ExpectedSteps =
    [
        "turn 1",
        "text: Let me check.",
        "call lookup {\"query\":\"ORD-5\"}",
        "turn 1 ended: tool_use",
        "result lookup: lookup: found ORD-5",
        "turn 2",
        "text: Here is what I found — lookup: found ORD-5. Anything else? 📦",
        "turn 2 ended: end_turn",
        "run completed",
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StepsAreTheSameHoweverTheBytesArrive(bool oneByte)
    {
        ScriptedModel model = OrderScript.Model(oneByte ? Chunking.OneByte : Chunking.Whole, new ChunkedStreamOptions { YieldOnEachRead = oneByte });

        AgentRunTrace trace = await AgentRunTrace.CaptureAsync(OrderScript.Runner(model).RunAsync("ORD-5"));

        trace.ShouldHaveSteps(ExpectedSteps);
        Assert.Equal(AgentRunOutcome.Completed, trace.Completion.Outcome);
        Assert.IsType<RunCompleted>(trace.Events[^1]);
    }

    [Fact]
    public async Task ADifferenceIsShownWithTheWholeRun()
    {
        AgentRunTrace trace = await AgentRunTrace.CaptureAsync(OrderScript.Runner(OrderScript.Model()).RunAsync("ORD-5"));

        string[] wrong = [.. ExpectedSteps];
        wrong[4] = "result lookup: nothing";
        var failure = Assert.Throws<AgentAssertionException>(() => trace.ShouldHaveSteps(wrong));
        Assert.StartsWith($"The run's steps differ at step 5:{Environment.NewLine}  expected: result lookup: nothing{Environment.NewLine}  actual:   result lookup: lookup: found ORD-5", failure.Message, StringComparison.Ordinal);
        Assert.Contains("    9. run completed", failure.Message, StringComparison.Ordinal);

        failure = Assert.Throws<AgentAssertionException>(() => trace.ShouldHaveSteps(ExpectedSteps[..^1]));
        Assert.Contains("differ at step 9:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("expected: (no more steps)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedRunEndsWithItsError()
    {
        var handler = new FakeAnthropicHandler().RespondWithError(System.Net.HttpStatusCode.BadRequest, "invalid_request_error", "max_tokens is too large");

        AgentRunTrace trace = await AgentRunTrace.CaptureAsync(OrderScript.Runner(handler).RunAsync("ORD-5"));

        trace.ShouldHaveSteps("turn 1", "run failed: invalid_request_error: Anthropic API error 'invalid_request_error' (HTTP 400, request-id req_fake_01): max_tokens is too large");
    }

    [Fact]
    public async Task AReadOnlyToolStartsBeforeTheMessageEnds()
    {
        AgentRunTrace eager = await AgentRunTrace.CaptureAsync(OrderScript.Runner(OrderScript.Model()).RunAsync("ORD-5"));
        eager.ShouldHaveStartedToolBeforeMessageEnded("lookup");

        AgentRunTrace late = await AgentRunTrace.CaptureAsync(OrderScript.Runner(OrderScript.Model(), isReadOnly: false).RunAsync("ORD-5"));
        var failure = Assert.Throws<AgentAssertionException>(() => late.ShouldHaveStartedToolBeforeMessageEnded("lookup"));
        Assert.Contains("started only after its message ended", failure.Message, StringComparison.Ordinal);

        failure = Assert.Throws<AgentAssertionException>(() => late.ShouldHaveStartedToolBeforeMessageEnded("search"));
        Assert.StartsWith("Tool 'search' never started executing.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunCutShortHasNoCompletion()
    {
        AgentRunTrace trace = await AgentRunTrace.CaptureAsync(Take(OrderScript.Runner(OrderScript.Model()).RunAsync("ORD-5"), 3));

        Assert.Throws<AgentAssertionException>(() => trace.Completion);
        Assert.Equal(3, trace.Events.Count);
    }

    private static async IAsyncEnumerable<AgentEvent> Take(IAsyncEnumerable<AgentEvent> events, int count)
    {
        await foreach (AgentEvent agentEvent in events)
        {
            if (count-- == 0)
            {
                yield break;
            }

            yield return agentEvent;
        }
    }
}
