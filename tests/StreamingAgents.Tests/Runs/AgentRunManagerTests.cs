using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Runs;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Runs;

public sealed class AgentRunManagerTests
{
    private static readonly MessageRequest s_question = new() { Messages = [MessageParam.User("Where is ORD-1?")] };

    private static TranscriptBuilder CallsLookup() =>
        new TranscriptBuilder().Text("Let me check that for you.").ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Stop(StopReason.ToolUse);

    private static TranscriptBuilder Answers() => new TranscriptBuilder().Text("It ships on Friday, with the blue box.").Stop(StopReason.EndTurn);

    [Fact]
    public async Task SubscribeAsync_FromTheStart_GivesEveryEventOnceInOrderEndingWithRunCompleted()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());

        AgentRunHandle run = await manager.StartAsync(s_question);
        List<SerializedAgentEvent> events = await manager.SubscribeAsync(run.RunId).ToListAsync().AsTask().WaitAsync(Waiting.Guard);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        RunCompleted result = Assert.IsType<RunCompleted>(events[^1].ToAgentEvent());
        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Equal("It ships on Friday, with the blue box.", result.FinalText);
        Assert.Contains(events, e => e.EventType == AgentEventTypes.ToolCallCompleted);
        await run.Completion.WaitAsync(Waiting.Guard);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_FromEverySequence_GivesExactlyTheTail()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);
        await run.Completion.WaitAsync(Waiting.Guard);
        List<SerializedAgentEvent> all = await manager.SubscribeAsync(run.RunId).ToListAsync();

        for (int after = 0; after <= all.Count; after++)
        {
            List<SerializedAgentEvent> tail = await manager.SubscribeAsync(run.RunId, after).ToListAsync();
            Assert.Equal(all.Skip(after).Select(e => e.Sequence), tail.Select(e => e.Sequence));
        }

        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_DroppedMidRunThenResumed_GivesTheSameTextAsAnUninterruptedSubscriber()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        var body = Gated(CallsLookup().ToString(), afterEvents: 4);
        harness.Handler.RespondWith((_, _) => FakeResponses.Stream(body)).RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);
        Task<List<SerializedAgentEvent>> uninterrupted = manager.SubscribeAsync(run.RunId).ToListAsync().AsTask();

        // The first subscriber reads a little while the model is still streaming, then its connection drops.
        var firstPart = new List<SerializedAgentEvent>();
        await foreach (SerializedAgentEvent agentEvent in manager.SubscribeAsync(run.RunId))
        {
            firstPart.Add(agentEvent);
            if (firstPart.Count == 2)
            {
                break;
            }
        }

        body.Open(); // the run goes on without anyone listening
        await run.Completion.WaitAsync(Waiting.Guard);
        List<SerializedAgentEvent> resumed = await manager.SubscribeAsync(run.RunId, afterSequence: firstPart[^1].Sequence).ToListAsync();

        Assert.Equal(Text(await uninterrupted.WaitAsync(Waiting.Guard)), Text([.. firstPart, .. resumed]));
        Assert.Equal("Let me check that for you.It ships on Friday, with the blue box.", Text(await uninterrupted));
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_SeveralAtOnce_EachGetsTheWholeRun()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        var body = Gated(CallsLookup().ToString(), afterEvents: 3);
        harness.Handler.RespondWith((_, _) => FakeResponses.Stream(body)).RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);

        Task<List<SerializedAgentEvent>>[] subscribers = [.. Enumerable.Range(0, 3).Select(_ => manager.SubscribeAsync(run.RunId).ToListAsync().AsTask())];
        body.Open();
        List<SerializedAgentEvent>[] results = await Task.WhenAll(subscribers).WaitAsync(Waiting.Guard);

        Assert.All(results, r => Assert.Equal(results[0].Select(e => e.Sequence), r.Select(e => e.Sequence)));
        Assert.Equal(AgentEventTypes.RunCompleted, results[0][^1].EventType);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task CancelAsync_StopsTheToolsAndEndsTheRunAsCancelledForSubscribers()
    {
        var toolCancelled = new TaskCompletionSource();
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create([TestTools.Hanging("lookup", toolCancelled, isReadOnly: true)]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", "{}").Stop(StopReason.ToolUse));
        AgentRunHandle run = await manager.StartAsync(s_question);
        await using IAsyncEnumerator<SerializedAgentEvent> subscriber = manager.SubscribeAsync(run.RunId).GetAsyncEnumerator();
        while (await subscriber.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard) && subscriber.Current.EventType != AgentEventTypes.ToolExecutionStarted)
        {
        }

        Assert.True(await manager.CancelAsync(run.RunId));
        var rest = new List<SerializedAgentEvent>();
        while (await subscriber.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard))
        {
            rest.Add(subscriber.Current);
        }

        RunCompleted ending = Assert.IsType<RunCompleted>(rest[^1].ToAgentEvent());
        Assert.Equal(AgentRunOutcome.Cancelled, ending.Outcome);
        Assert.Equal(rest.Count > 1 ? rest[^2].Sequence + 1 : ending.Sequence, ending.Sequence);
        Assert.Equal("\"cancelled\"", JsonDocument.Parse(rest[^1].Utf8Json).RootElement.GetProperty("outcome").GetRawText());
        Assert.True(toolCancelled.Task.IsCompleted);
        await run.Completion.WaitAsync(Waiting.Guard);
        Assert.False(await manager.CancelAsync(run.RunId)); // already ended
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task CancelAsync_WhileTheModelStreams_StopsTheStream()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        var body = Gated(CallsLookup().ToString(), afterEvents: 3); // never opened: the model "thinks" forever
        harness.Handler.RespondWith((_, _) => FakeResponses.Stream(body));
        AgentRunHandle run = await manager.StartAsync(s_question);
        await Waiting.UntilAsync(() => body.IsBlocked, Waiting.Guard);

        await manager.CancelAsync(run.RunId);
        await run.Completion.WaitAsync(Waiting.Guard);

        List<SerializedAgentEvent> events = await manager.SubscribeAsync(run.RunId).ToListAsync();
        Assert.Equal(AgentRunOutcome.Cancelled, Assert.IsType<RunCompleted>(events[^1].ToAgentEvent()).Outcome);
        Assert.Single(harness.Handler.Requests);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_SubscriberLeaves_TheRunGoesOnToTheEnd()
    {
        int toolRuns = 0;
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create([TestTools.Lookup(execute: (_, _) => { Interlocked.Increment(ref toolRuns); return ValueTask.FromResult(ToolResult.Text("found")); })]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);

        await foreach (SerializedAgentEvent _ in manager.SubscribeAsync(run.RunId))
        {
            break;
        }

        await run.Completion.WaitAsync(Waiting.Guard);
        Assert.Equal(1, toolRuns);
        Assert.Equal(2, harness.Handler.Requests.Count);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_AnotherOwnersRun_IsRefusedLikeAnUnknownOne()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        harness.Handler.RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question, owner: "alice");
        await run.Completion.WaitAsync(Waiting.Guard);

        var asBob = await Assert.ThrowsAsync<AgentRunNotFoundException>(() => manager.SubscribeAsync(run.RunId, owner: "bob").ToListAsync().AsTask());
        var unknown = await Assert.ThrowsAsync<AgentRunNotFoundException>(() => manager.SubscribeAsync("run_unknown", owner: "bob").ToListAsync().AsTask());
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => manager.CancelAsync(run.RunId, owner: null));

        Assert.Equal(asBob.Message.Replace(run.RunId, "X", StringComparison.Ordinal), unknown.Message.Replace("run_unknown", "X", StringComparison.Ordinal));
        Assert.NotEmpty(await manager.SubscribeAsync(run.RunId, owner: "alice").ToListAsync());
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task CompletedRun_AfterItsTimeToLive_IsGone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create(storeOptions: new InMemoryAgentRunStoreOptions { CompletedRunTimeToLive = TimeSpan.FromMinutes(5) }, time: time);
        harness.Handler.RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);
        await run.Completion.WaitAsync(Waiting.Guard);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.NotEmpty(await manager.SubscribeAsync(run.RunId).ToListAsync());
        time.Advance(TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => manager.SubscribeAsync(run.RunId).ToListAsync().AsTask());
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_FromAnEvictedSequence_ThrowsAGapErrorNamingWhatIsLeft()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create(storeOptions: new InMemoryAgentRunStoreOptions { MaxEventsPerRun = 5 });
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);
        await run.Completion.WaitAsync(Waiting.Guard);

        var gap = await Assert.ThrowsAsync<AgentRunGapException>(() => manager.SubscribeAsync(run.RunId).ToListAsync().AsTask());
        List<SerializedAgentEvent> kept = await manager.SubscribeAsync(run.RunId, gap.OldestAvailable - 1).ToListAsync();

        Assert.Equal(1, gap.RequestedSequence);
        Assert.Equal(5, kept.Count);
        Assert.Equal(AgentEventTypes.RunCompleted, kept[^1].EventType);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task SubscribeAsync_SlowSubscriberFallsBehindTheLog_GetsAGapErrorAndTheRunIsUnaffected()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create(storeOptions: new InMemoryAgentRunStoreOptions { MaxEventsPerRun = 4 });
        var body = Gated(CallsLookup().ToString(), afterEvents: 3);
        harness.Handler.RespondWith((_, _) => FakeResponses.Stream(body)).RespondWith(Answers());
        AgentRunHandle run = await manager.StartAsync(s_question);
        await using IAsyncEnumerator<SerializedAgentEvent> slow = manager.SubscribeAsync(run.RunId).GetAsyncEnumerator();
        Assert.True(await slow.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard)); // read while the model is held back

        body.Open();
        await run.Completion.WaitAsync(Waiting.Guard); // the subscriber holds its first event all run long
        Exception? gap = await Record.ExceptionAsync(async () =>
        {
            while (await slow.MoveNextAsync())
            {
            }
        });

        Assert.IsType<AgentRunGapException>(gap);
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>((await manager.SubscribeAsync(run.RunId, (gap as AgentRunGapException)!.OldestAvailable - 1).ToListAsync())[^1].ToAgentEvent()).Outcome);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task StartAsync_StoreFull_ThrowsAgentRunLimitException()
    {
        var cancelled = new TaskCompletionSource();
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create([TestTools.Hanging("lookup", cancelled)], new InMemoryAgentRunStoreOptions { MaxLiveRuns = 1 });
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", "{}").Stop(StopReason.ToolUse));
        AgentRunHandle first = await manager.StartAsync(s_question);

        var full = await Assert.ThrowsAsync<AgentRunLimitException>(() => manager.StartAsync(s_question));

        Assert.Equal(1, full.Limit);
        await manager.CancelAsync(first.RunId);
        await first.Completion.WaitAsync(Waiting.Guard);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task StartAsync_RunIds_AreUnguessableAndUrlSafe()
    {
        (AgentRunManager manager, AgentRunnerTestHarness harness) = Create();
        for (int i = 0; i < 20; i++)
        {
            harness.Handler.RespondWith(Answers());
        }

        AgentRunHandle[] runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => manager.StartAsync(s_question)));

        Assert.Equal(20, runs.Select(r => r.RunId).Distinct().Count());
        Assert.All(runs, r => Assert.Matches("^run_[A-Za-z0-9_-]{22}$", r.RunId));
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task StoreFailsAnAppend_TheRunEndsFailedRightAfterTheLastStoredEvent_WithNoGap()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());
        using var store = new FlakyStore { FailAppendOf = 3 };
        var manager = new AgentRunManager(harness.Runner, store);

        AgentRunHandle run = await manager.StartAsync(s_question);
        await run.Completion.WaitAsync(Waiting.Guard);
        List<SerializedAgentEvent> events = await manager.SubscribeAsync(run.RunId).ToListAsync();

        Assert.Equal([1L, 2, 3], events.Select(e => e.Sequence));
        RunCompleted ending = Assert.IsType<RunCompleted>(events[^1].ToAgentEvent());
        Assert.Equal(AgentRunOutcome.Failed, ending.Outcome);
        Assert.Equal(AgentError.InternalType, ending.Error!.Type);
        Assert.Contains("did not answer", ending.Error.Message, StringComparison.Ordinal);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task StoreLosesTheRunWhileItWaitsForCancellation_TheRunStopsAndItsToolIsCancelled()
    {
        var cancelled = new TaskCompletionSource();
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("lookup", cancelled)]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", "{}").Stop(StopReason.ToolUse));
        using var store = new FlakyStore();
        var manager = new AgentRunManager(harness.Runner, store);

        AgentRunHandle run = await manager.StartAsync(s_question);
        await manager.SubscribeAsync(run.RunId).FirstAsync(e => e.EventType == AgentEventTypes.ToolExecutionStarted).AsTask().WaitAsync(Waiting.Guard);
        store.LoseCancellationWait.SetException(new AgentRunLostException(run.RunId));

        await cancelled.Task.WaitAsync(Waiting.Guard);
        await run.Completion.WaitAsync(Waiting.Guard);
        RunCompleted ending = Assert.IsType<RunCompleted>((await manager.SubscribeAsync(run.RunId).ToListAsync())[^1].ToAgentEvent());
        Assert.Equal(AgentRunOutcome.Failed, ending.Outcome);
        Assert.Contains("is no longer in the store", ending.Error!.Message, StringComparison.Ordinal);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task StoreTakesAnAppendButItsReplyIsLost_TheEventIsKeptOnceAndTheEndingFollowsIt()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());
        using var store = new FlakyStore { FailAppendOf = 3, StoreBeforeFailing = true };
        var manager = new AgentRunManager(harness.Runner, store);

        AgentRunHandle run = await manager.StartAsync(s_question);
        await run.Completion.WaitAsync(Waiting.Guard);
        List<SerializedAgentEvent> events = await manager.SubscribeAsync(run.RunId).ToListAsync();

        Assert.Equal([1L, 2, 3, 4], events.Select(e => e.Sequence));
        Assert.Equal(AgentRunOutcome.Failed, Assert.IsType<RunCompleted>(events[^1].ToAgentEvent()).Outcome);
        await manager.DisposeAsync();
    }

    /// <summary>An in-memory store that fails when told to: one append (before or after taking it), or its wait for cancellation.</summary>
    private sealed class FlakyStore : IAgentRunStore, IDisposable
    {
        private readonly InMemoryAgentRunStore _inner = new();
        private int _failures;

        public long FailAppendOf { get; init; } = -1;

        public bool StoreBeforeFailing { get; init; }

        public TaskCompletionSource LoseCancellationWait { get; } = new();

        public ValueTask CreateAsync(AgentRunRecord run, CancellationToken cancellationToken = default) => _inner.CreateAsync(run, cancellationToken);

        public ValueTask<AgentRunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default) => _inner.GetAsync(runId, cancellationToken);

        public async ValueTask AppendAsync(string runId, SerializedAgentEvent agentEvent, CancellationToken cancellationToken = default)
        {
            if (agentEvent.Sequence == FailAppendOf && agentEvent.EventType != AgentEventTypes.RunCompleted && Interlocked.Increment(ref _failures) == 1)
            {
                if (StoreBeforeFailing)
                {
                    await _inner.AppendAsync(runId, agentEvent, cancellationToken);
                }

                throw new AgentRunStoreUnavailableException(runId, TimeSpan.FromSeconds(15), new TimeoutException());
            }

            if (agentEvent.Sequence == FailAppendOf && agentEvent.EventType != AgentEventTypes.RunCompleted && !StoreBeforeFailing)
            {
                throw new AgentRunStoreUnavailableException(runId, TimeSpan.FromSeconds(15), new TimeoutException());
            }

            await _inner.AppendAsync(runId, agentEvent, cancellationToken);
        }

        public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => _inner.CompleteAsync(runId, cancellationToken);

        public IAsyncEnumerable<SerializedAgentEvent> ReadAsync(string runId, long afterSequence, CancellationToken cancellationToken = default) => _inner.ReadAsync(runId, afterSequence, cancellationToken);

        public ValueTask RequestCancellationAsync(string runId, CancellationToken cancellationToken = default) => _inner.RequestCancellationAsync(runId, cancellationToken);

        public Task WaitForCancellationAsync(string runId, CancellationToken cancellationToken = default) =>
            Task.WhenAny(_inner.WaitForCancellationAsync(runId, cancellationToken), LoseCancellationWait.Task).Unwrap();

        public void Dispose() => _inner.Dispose();
    }

    private static (AgentRunManager, AgentRunnerTestHarness) Create(IEnumerable<AgentTool>? tools = null, InMemoryAgentRunStoreOptions? storeOptions = null, TimeProvider? time = null)
    {
        var harness = new AgentRunnerTestHarness(tools ?? [TestTools.Lookup()]);
        var store = new InMemoryAgentRunStore(storeOptions, time);
        return (new AgentRunManager(harness.Runner, store, time), harness);
    }

    private static GatedStream Gated(string transcript, int afterEvents)
    {
        int split = 0;
        for (int i = 0; i < afterEvents; i++)
        {
            split = transcript.IndexOf("\n\n", split, StringComparison.Ordinal) + 2;
        }

        return new GatedStream(Encoding.UTF8.GetBytes(transcript[..split]), Encoding.UTF8.GetBytes(transcript[split..]));
    }

    private static string Text(IEnumerable<SerializedAgentEvent> events) =>
        string.Concat(events.Where(e => e.EventType == AgentEventTypes.Text).Select(e => ((TextReceived)e.ToAgentEvent()).Text));
}
