using System.Text.Json;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

public sealed class AgentRunnerTests
{
    private static TranscriptBuilder CallsLookup(string query = "ORD-1", string id = "toolu_1") =>
        new TranscriptBuilder().Text("Let me check.").ToolUse("lookup", $$"""{"query":"{{query}}"}""", id: id, fragmentSize: 5).Stop(StopReason.ToolUse);

    private static TranscriptBuilder Answers(string text = "It arrives Friday.") => new TranscriptBuilder().Text(text).Stop(StopReason.EndTurn);

    [Fact]
    public async Task RunAsync_ToolThenAnswer_StreamsEveryStepAndContinuesTheConversation()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        string text = string.Concat(events.OfType<TextReceived>().Select(e => e.Text));
        Assert.Equal("Let me check.It arrives Friday.", text);
        ToolCallStarted started = Assert.Single(events.OfType<ToolCallStarted>());
        Assert.Equal(("toolu_1", "lookup", "🔍 Looking up…"), (started.ToolCallId, started.ToolName, started.StatusLabel));
        Assert.True(events.OfType<ToolInputProgress>().Count() > 1);
        Assert.Equal("ORD-1", Assert.Single(events.OfType<ToolCallReady>()).Input.GetProperty("query").GetString());
        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.Equal(("lookup: found ORD-1", false), (completed.Result, completed.IsError));
        Assert.Equal([StopReason.ToolUse, StopReason.EndTurn], events.OfType<TurnCompleted>().Select(e => e.StopReason!.Value));

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Equal(2, result.TurnCount);
        Assert.Equal(["user", "assistant", "user", "assistant"], result.Conversation.Select(m => m.Role));
        ToolResultBlock toolResult = Assert.IsType<ToolResultBlock>(Assert.Single(result.Conversation[2].Content));
        Assert.Equal("toolu_1", toolResult.ToolUseId);
        Assert.Equal("It arrives Friday.", result.FinalMessage!.GetText());
        Assert.Equal(50, result.TotalUsage.InputTokens);

        // The second request carries the tool result, and every request offers the tool.
        JsonElement second = harness.Handler.Requests[1].ParseBody();
        Assert.Equal("toolu_1", second.GetProperty("messages")[2].GetProperty("content")[0].GetProperty("tool_use_id").GetString());
        Assert.Equal("lookup", second.GetProperty("tools")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task RunAsync_Events_AreNumberedWithoutGapsAndStampedWithTheirTurn()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(1, events.OfType<TextReceived>().First().Turn);
        Assert.Equal(2, events.OfType<TextReceived>().Last().Turn);
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Timestamp <= pair.Second.Timestamp));
    }

    [Fact]
    public async Task RunAsync_ReadOnlyTool_StartsBeforeTheMessageFinishesStreaming()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        string transcript = new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Text("While that runs, some more text.").Stop(StopReason.ToolUse).ToString();
        int split = transcript.IndexOf("event: content_block_start", transcript.IndexOf("content_block_stop", StringComparison.Ordinal), StringComparison.Ordinal);
        var body = new GatedStream(System.Text.Encoding.UTF8.GetBytes(transcript[..split]), System.Text.Encoding.UTF8.GetBytes(transcript[split..]));
        harness.Handler.RespondWith((_, _) => StreamingAgents.Testing.Http.FakeResponses.Stream(body)).RespondWith(Answers());
        var seen = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Where is ORD-1?"))
        {
            seen.Add(agentEvent);
            if (agentEvent is ToolExecutionStarted)
            {
                // The model's message is still being streamed: the rest of it is held back until now.
                Assert.True(body.IsBlocked);
                Assert.DoesNotContain(seen, e => e is TurnCompleted);
                body.Open();
            }
        }

        ToolExecutionStarted execution = Assert.Single(seen.OfType<ToolExecutionStarted>());
        Assert.True(execution.IsEager);
        Assert.True(seen.IndexOf(execution) < seen.FindIndex(e => e is TextReceived));
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(seen[^1]).Outcome);
    }

    [Fact]
    public async Task RunAsync_ToolWithSideEffects_WaitsForTheMessageToEnd()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup(isReadOnly: false)]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        ToolExecutionStarted execution = Assert.Single(events.OfType<ToolExecutionStarted>());
        Assert.False(execution.IsEager);
        Assert.True(events.IndexOf(execution) > events.FindIndex(e => e is TurnCompleted));
    }

    [Fact]
    public async Task RunAsync_ParallelTools_ReportEachOnCompletionAndReturnResultsInBlockOrder()
    {
        var slowMayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AgentTool slow = TestTools.Lookup("slow", async (input, context) =>
        {
            await slowMayFinish.Task.WaitAsync(context.CancellationToken);
            return ToolResult.Text("slow done");
        });
        AgentTool fast = TestTools.Lookup("fast", (input, context) => ValueTask.FromResult(ToolResult.Text("fast done")));
        var harness = new AgentRunnerTestHarness([slow, fast]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("slow", """{"query":"a"}""", id: "toolu_slow").ToolUse("fast", """{"query":"b"}""", id: "toolu_fast").Stop(StopReason.ToolUse))
            .RespondWith(Answers());
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go"))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolCallCompleted { ToolName: "fast" })
            {
                slowMayFinish.SetResult(); // the fast tool's result arrived while the slow one still ran
            }
        }

        Assert.Equal(["fast", "slow"], events.OfType<ToolCallCompleted>().Select(e => e.ToolName));
        ContentBlock[] results = [.. Assert.IsType<RunCompleted>(events[^1]).Conversation[2].Content];
        Assert.Equal(["toolu_slow", "toolu_fast"], results.Cast<ToolResultBlock>().Select(r => r.ToolUseId));
    }

    [Fact]
    public async Task RunAsync_ToolThrows_BecomesErrorResultAndOthersAreUnaffected()
    {
        AgentTool failing = TestTools.Lookup("failing", (_, _) => throw new InvalidOperationException("database offline"));
        var harness = new AgentRunnerTestHarness([failing, TestTools.Lookup()]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("failing", """{"query":"a"}""").ToolUse("lookup", """{"query":"b"}""").Stop(StopReason.ToolUse))
            .RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        ToolCallCompleted failed = events.OfType<ToolCallCompleted>().Single(e => e.ToolName == "failing");
        Assert.True(failed.IsError);
        Assert.Equal("Tool 'failing' failed: InvalidOperationException: database offline", failed.Result);
        Assert.False(events.OfType<ToolCallCompleted>().Single(e => e.ToolName == "lookup").IsError);
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        Assert.Contains("\"is_error\":true", harness.Handler.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ToolErrorDetailNone_HidesTheException()
    {
        AgentTool failing = TestTools.Lookup("failing", (_, _) => throw new InvalidOperationException("secret connection string"));
        var harness = new AgentRunnerTestHarness([failing], o => o.ToolErrorDetail = ToolErrorDetail.None);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("failing", """{"query":"a"}""").Stop(StopReason.ToolUse)).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal("Tool 'failing' failed.", Assert.Single(events.OfType<ToolCallCompleted>()).Result);
        Assert.DoesNotContain("secret", harness.Handler.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownTool_TellsTheModelWhichToolsExist()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("teleport", """{"to":"Mars"}""").Stop(StopReason.ToolUse)).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.True(completed.IsError);
        Assert.Equal("There is no tool named 'teleport'. Available tools: lookup.", completed.Result);
        Assert.Null(Assert.Single(events.OfType<ToolCallStarted>()).StatusLabel);
        Assert.Empty(events.OfType<ToolExecutionStarted>());
    }

    [Fact]
    public async Task RunAsync_InputNotMatchingSchema_IsNotExecutedAndTheModelIsTold()
    {
        int executions = 0;
        AgentTool tool = TestTools.Lookup(execute: (_, _) =>
        {
            Interlocked.Increment(ref executions);
            return ValueTask.FromResult(ToolResult.Text("ran"));
        });
        var harness = new AgentRunnerTestHarness([tool]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"limit":"ten"}""").Stop(StopReason.ToolUse)).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.True(completed.IsError);
        Assert.Contains("input.query: required property is missing.", completed.Result, StringComparison.Ordinal);
        Assert.Contains("input.limit: expected integer", completed.Result, StringComparison.Ordinal);
        Assert.Equal(0, executions);
    }

    [Fact]
    public async Task RunAsync_MaxTurnsReached_EndsWithMaxTurnsOutcome()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()], o => o.MaxTurns = 2);
        harness.Handler.RespondWith(CallsLookup(id: "toolu_1")).RespondWith(CallsLookup(id: "toolu_2"));

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.MaxTurns, result.Outcome);
        Assert.Equal(2, result.TurnCount);
        Assert.Equal(2, harness.Handler.Requests.Count);
        Assert.Equal("user", result.Conversation[^1].Role); // ends with tool results: ready to continue
    }

    [Fact]
    public async Task RunAsync_PauseTurn_SendsThePausedResponseBackAndContinues()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("Searching the web…").Stop(StopReason.PauseTurn)).RespondWith(Answers("Done."));

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        JsonElement messages = harness.Handler.Requests[1].ParseBody().GetProperty("messages");
        Assert.Equal("assistant", messages[messages.GetArrayLength() - 1].GetProperty("role").GetString());
        Assert.False(harness.Handler.Requests[0].ParseBody().TryGetProperty("tools", out _));
    }

    [Fact]
    public async Task RunAsync_MaxTokensMidToolInput_NeverExecutesTheTruncatedCall()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("Checking").ToolUseFragments("lookup", "toolu_cut", "{\"query\": \"ORD").Stop(StopReason.MaxTokens));

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(ToolInputStatus.Incomplete, Assert.Single(events.OfType<ToolCallReady>()).InputStatus);
        Assert.Empty(events.OfType<ToolExecutionStarted>());
        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.MaxTokens, result.Outcome);
        Assert.IsType<TextBlock>(Assert.Single(result.Conversation[^1].Content)); // the cut-off call is left out
    }

    [Fact]
    public async Task RunAsync_MaxTokensWithContinue_SendsTheCutOffAnswerBackAndContinues()
    {
        var harness = new AgentRunnerTestHarness([], o => o.OnMaxTokens = MaxTokensBehavior.Continue);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("The first half").Stop(StopReason.MaxTokens)).RespondWith(Answers(" and the rest."));

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Completed, 2), (result.Outcome, result.TurnCount));
        JsonElement messages = harness.Handler.Requests[1].ParseBody().GetProperty("messages");
        Assert.Equal("The first half", messages[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
    }

    [Fact]
    public async Task RunAsync_MessageEndsOtherThanToolUse_CancelsAndDiscardsEagerTools()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("watch", cancelled)]);
        string transcript = new TranscriptBuilder().ToolUse("watch", "{}").Text("Actually, never mind.").Stop(StopReason.EndTurn).ToString();
        int split = transcript.IndexOf("event: content_block_start", transcript.IndexOf("content_block_stop", StringComparison.Ordinal), StringComparison.Ordinal);
        var body = new GatedStream(System.Text.Encoding.UTF8.GetBytes(transcript[..split]), System.Text.Encoding.UTF8.GetBytes(transcript[split..]));
        harness.Handler.RespondWith((_, _) => StreamingAgents.Testing.Http.FakeResponses.Stream(body));
        var events = new List<AgentEvent>();

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go"))
        {
            events.Add(agentEvent);
            if (agentEvent is ToolExecutionStarted)
            {
                body.Open(); // the tool is running; now let the message end with end_turn
            }
        }

        Assert.True(Assert.Single(events.OfType<ToolExecutionStarted>()).IsEager);
        Assert.Empty(events.OfType<ToolCallCompleted>());
        Assert.True(cancelled.Task.IsCompleted);
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringTool_CancelsTheToolAndThrows()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("watch", cancelled, isReadOnly: false)]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("watch", "{}").Stop(StopReason.ToolUse));
        using var cancellation = new CancellationTokenSource();
        var events = new List<AgentEvent>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go", cancellationToken: cancellation.Token))
            {
                events.Add(agentEvent);
                if (agentEvent is ToolExecutionStarted)
                {
                    await cancellation.CancelAsync();
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        // The enumeration ends only after the tool has observed the cancellation: nothing is left running.
        Assert.True(cancelled.Task.IsCompleted);
        Assert.DoesNotContain(events, e => e is RunCompleted);
    }

    [Fact]
    public async Task RunAsync_EarlyBreak_StopsTheRunAndItsTools()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("watch", cancelled, isReadOnly: false)]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("watch", "{}").Stop(StopReason.ToolUse));

        await foreach (AgentEvent agentEvent in harness.Runner.RunAsync("Go"))
        {
            if (agentEvent is ToolExecutionStarted)
            {
                break;
            }
        }

        Assert.True(cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_StreamFailsMidTurn_RetriesTheTurnAfterTellingTheConsumer()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().Text("Partial answ").Error("overloaded_error", "Overloaded"))
            .RespondWith(Answers("Full answer."));

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(
            ["turn_started", "text", "text", "turn_retrying", "turn_started", "text", "text", "text", "turn_completed", "run_completed"],
            events.Select(TypeOf));
        TurnRetrying retry = Assert.Single(events.OfType<TurnRetrying>());
        Assert.Equal((2, "overloaded_error"), (retry.NextAttempt, retry.Error.Type));
        Assert.Equal(2, events.OfType<TurnStarted>().Last().Attempt);
        Assert.Equal("Full answer.", Assert.IsType<RunCompleted>(events[^1]).FinalMessage!.GetText());
    }

    [Fact]
    public async Task RunAsync_DroppedConnectionRetriesExhausted_EndsFailedKeepingEverything()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()], o => o.MaxStreamRetries = 1);
        Transcript answer = Answers("This will be cut off").Build();
        var drop = new ChunkedStreamOptions { EndAfterBytes = answer.Text.LastIndexOf("event: content_block_delta", StringComparison.Ordinal), Ending = StreamEnding.Drop };
        harness.Handler.RespondWith(CallsLookup()).RespondWith(answer, Chunking.PerEvent, drop).RespondWith(answer, Chunking.PerEvent, drop);

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Failed, result.Outcome);
        Assert.Equal(AgentError.ConnectionType, result.Error!.Type);
        Assert.Equal(["user", "assistant", "user"], result.Conversation.Select(m => m.Role));
        Assert.Single(events.OfType<TurnRetrying>());
        Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.Equal(3, harness.Handler.Requests.Count);
    }

    [Fact]
    public async Task RunAsync_NonRetryableErrorEventMidStream_EndsFailedWithoutRetry()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWith(new TranscriptBuilder().Text("Partial").Error("invalid_request_error", "prompt is too long")).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, "invalid_request_error"), (result.Outcome, result.Error!.Type));
        Assert.Empty(events.OfType<TurnRetrying>());
        Assert.Single(harness.Handler.Requests);
    }

    [Fact]
    public async Task RunAsync_NonRetryableApiError_EndsFailedWithoutRetry()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWithError(System.Net.HttpStatusCode.BadRequest, "invalid_request_error", "max_tokens: too large");

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, "invalid_request_error"), (result.Outcome, result.Error!.Type));
        Assert.Empty(events.OfType<TurnRetrying>());
    }

    [Fact]
    public async Task RunAsync_ConsecutiveToolErrors_StopTheRunAtTheCap()
    {
        AgentTool failing = TestTools.Lookup(execute: (_, _) => throw new TimeoutException("upstream"));
        var harness = new AgentRunnerTestHarness([failing], o => o.MaxConsecutiveToolErrors = 2);
        harness.Handler.RespondWith(CallsLookup(id: "toolu_1")).RespondWith(CallsLookup(id: "toolu_2")).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(AgentRunOutcome.ToolErrorLimit, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        Assert.Equal(2, harness.Handler.Requests.Count);
    }

    [Fact]
    public async Task RunAsync_ToolStatus_IsForwardedWhileTheToolRuns()
    {
        AgentTool reporting = TestTools.Lookup(execute: (input, context) =>
        {
            context.ReportStatus("Found 3 orders…");
            return ValueTask.FromResult(ToolResult.Text("done"));
        });
        var harness = new AgentRunnerTestHarness([reporting]);
        harness.Handler.RespondWith(CallsLookup()).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        ToolStatusReported status = Assert.Single(events.OfType<ToolStatusReported>());
        Assert.Equal(("toolu_1", "Found 3 orders…"), (status.ToolCallId, status.Status));
        Assert.True(events.IndexOf(status) < events.FindIndex(e => e is ToolCallCompleted));
    }

    [Fact]
    public async Task RunAsync_ToolRunningAlone_NeverOverlapsOthers()
    {
        int running = 0;
        bool overlapped = false;
        async ValueTask<ToolResult> Work(bool alone)
        {
            int now = Interlocked.Increment(ref running);
            overlapped |= alone && now > 1;
            await Task.Delay(20);
            overlapped |= alone && Volatile.Read(ref running) > 1;
            Interlocked.Decrement(ref running);
            return ToolResult.Text("ok");
        }

        AgentTool alone = new WorkTool("alone", () => Work(alone: true)) { RunsAlone = true };
        AgentTool a = TestTools.Lookup("a", (_, _) => Work(alone: false));
        AgentTool b = TestTools.Lookup("b", (_, _) => Work(alone: false));
        var harness = new AgentRunnerTestHarness([alone, a, b]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("a", """{"query":"1"}""").ToolUse("alone", """{"query":"2"}""").ToolUse("b", """{"query":"3"}""").Stop(StopReason.ToolUse))
            .RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(3, events.OfType<ToolCallCompleted>().Count(e => !e.IsError));
        Assert.False(overlapped);
    }

    [Fact]
    public async Task RunAsync_ToolTimeout_BecomesAnErrorResult()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new AgentRunnerTestHarness([TestTools.Hanging("watch", cancelled, isReadOnly: false, timeout: TimeSpan.FromMilliseconds(50))]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("watch", "{}").Stop(StopReason.ToolUse)).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        ToolCallCompleted completed = Assert.Single(events.OfType<ToolCallCompleted>());
        Assert.True(completed.IsError);
        Assert.Equal("Tool 'watch' timed out after 0.05 s.", completed.Result);
        Assert.True(cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_Pings_BecomeHeartbeats()
    {
        var harness = new AgentRunnerTestHarness([]);
        harness.Handler.RespondWith(new TranscriptBuilder().MessageStart().Ping().Text("Hi").Ping().Stop(StopReason.EndTurn));

        List<AgentEvent> events = await harness.RunAsync();

        Assert.Equal(2, events.OfType<Heartbeat>().Count());
    }

    [Fact]
    public async Task RunAsync_ToolInputProgress_CarriesGrowingSnapshots()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-12345","limit":7}""", fragmentSize: 4).Stop(StopReason.ToolUse)).RespondWith(Answers());

        List<AgentEvent> events = await harness.RunAsync();

        ToolInputProgress[] progress = [.. events.OfType<ToolInputProgress>()];
        Assert.Equal("""{"query":"ORD-12345","limit":7}""", string.Concat(progress.Select(p => p.Fragment)));
        Assert.Contains(progress, p => p.Snapshot!.Value.TryGetProperty("query", out JsonElement q) && q.GetString() is { Length: > 0 and < 9 } partial && "ORD-12345".StartsWith(partial, StringComparison.Ordinal));
        Assert.Equal(7, progress[^1].Snapshot!.Value.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task RunAsync_OneByteChunking_GivesTheSameEvents()
    {
        async Task<string[]> RunWith(Chunking chunking)
        {
            // A tool with side effects starts after the message ends, so event order does not depend on scheduling.
            var harness = new AgentRunnerTestHarness([TestTools.Lookup(isReadOnly: false)]);
            harness.Handler.RespondWith(CallsLookup(), chunking).RespondWith(Answers(), chunking);
            return [.. (await harness.RunAsync()).Select(Normalize)];
        }

        string[] whole = await RunWith(Chunking.Whole);
        string[] oneByte = await RunWith(Chunking.OneByte);

        Assert.Equal(whole, oneByte);
        Assert.True(whole.Length > 20);
    }

    [Fact]
    public void RunAsync_NoMessages_Throws()
    {
        var harness = new AgentRunnerTestHarness([]);

        Assert.Throws<ArgumentException>(() => harness.Runner.RunAsync(new MessageRequest()));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting()
    {
        var harness = new AgentRunnerTestHarness([]);

        var error = Assert.Throws<ArgumentException>(() => new AgentRunner(harness.Client, new ToolRegistry(), new AgentRunnerOptions { MaxTurns = 0, MaxBufferedEvents = 0 }));

        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("AgentRunnerOptions.MaxTurns must be at least 1; it is 0. AgentRunnerOptions.MaxBufferedEvents must be at least 1; it is 0.", error.Message, StringComparison.Ordinal);
    }

    private static string TypeOf(AgentEvent agentEvent) =>
        JsonDocument.Parse(JsonSerializer.Serialize(agentEvent, AgentJsonContext.Default.AgentEvent)).RootElement.GetProperty("type").GetString()!;

    /// <summary>The event as JSON without what legitimately varies between runs: time.</summary>
    private static string Normalize(AgentEvent agentEvent)
    {
        AgentEvent stable = agentEvent is ToolCallCompleted completed ? completed with { Duration = TimeSpan.Zero } : agentEvent;
        stable.Timestamp = default;
        return JsonSerializer.Serialize(stable, AgentJsonContext.Default.AgentEvent);
    }

    private sealed class WorkTool(string name, Func<ValueTask<ToolResult>> work) : AgentTool<LookupInput>(name, "Does some work.", TestJsonContext.Default.LookupInput)
    {
        protected override ValueTask<ToolResult> ExecuteAsync(LookupInput input, ToolContext context) => work();
    }
}
