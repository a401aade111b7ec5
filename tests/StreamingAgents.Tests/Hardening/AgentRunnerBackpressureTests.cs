using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;

using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>A consumer that stops reading pauses the model stream within MaxBufferedEvents; nothing is dropped.</summary>
public sealed class AgentRunnerBackpressureTests
{
    private const int DeltaCount = 2000;
    private const int MaxBufferedEvents = 16;

    /// <summary>
    /// How far the model stream may have been read while the consumer holds one event: the runner pulls the model as
    /// the consumer asks, so nothing is read ahead but the events that became no agent event (message_start, the text
    /// block's start) and what the consumer asked for. Bounded well within <see cref="MaxBufferedEvents"/>.
    /// </summary>
    private const int Slack = 8;

    [Fact]
    public async Task RunAsync_ConsumerStopsAfterTheFirstText_ModelStreamPausesWithinTheLimitAndResumesWithoutLoss()
    {
        string[] tokens = [.. Enumerable.Range(1, DeltaCount).Select(i => $"t{i:D4} ")];
        var harness = new AgentRunnerTestHarness([], o => o.MaxBufferedEvents = MaxBufferedEvents);
        harness.Handler.RespondWith(new TranscriptBuilder().TextTokens(tokens).Stop(StopReason.EndTurn), Chunking.PerEvent);
        var events = new List<AgentEvent>();

        await using IAsyncEnumerator<AgentEvent> run = harness.Runner.RunAsync("Talk a lot.").GetAsyncEnumerator();
        do
        {
            Assert.True(await run.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard));
            events.Add(run.Current);
        }
        while (run.Current is not TextReceived);

        // The consumer now stops. With PerEvent chunking each read of the body hands out one SSE event, so the
        // body's read count is the number of model events pulled. Wait until reading has stopped.
        Assert.True(await Waiting.UntilAsync(() => harness.Handler.ServedBodies.Count == 1, TimeSpan.FromSeconds(10)));
        ChunkedStream body = harness.Handler.ServedBodies[0];
        long pulled = await Waiting.UntilStableAsync(() => body.ReadCount, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

        Assert.InRange(pulled, 0, Math.Min(MaxBufferedEvents, Slack));

        // Resume: everything arrives, in order, numbered without gaps.
        while (await run.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard))
        {
            events.Add(run.Current);
        }

        Assert.Equal(tokens, events.OfType<TextReceived>().Select(e => e.Text));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        Assert.Equal(DeltaCount + 5, body.ReadCount);
    }
}
