using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Agents;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// AgentError.Type is a stable snake_case kind to branch on (it is serialized for UIs and logs), never a CLR type
/// name that changes with the implementation. Checked end to end: runner, real client, scripted endpoint.
/// </summary>
public sealed class AgentErrorTypeTests
{
    private static readonly string s_afterStart = new TranscriptBuilder().MessageStart().ToString();

    private static TranscriptBuilder Answer() => new TranscriptBuilder().Text("The order arrives on Friday.").Stop(StopReason.EndTurn);

    [Fact]
    public async Task RunAsync_IdleTimeout_ErrorTypeIsIdleTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = new HardeningRunner([], o => o.IdleTimeout = TimeSpan.FromSeconds(15), o => o.MaxStreamRetries = 1, time);
        var stall = new ChunkedStreamOptions { EndAfterBytes = s_afterStart.Length, Ending = StreamEnding.Stall, TimeProvider = time };
        harness.Handler.RespondWith(Answer(), streamOptions: stall).RespondWith(Answer(), streamOptions: stall);

        List<AgentEvent> events = await FakeClock.RunAsync(time, harness.RunAsync(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        AssertFailedWith("idle_timeout", events, retried: true);
    }

    [Fact]
    public async Task RunAsync_OnlyPingsUntilStallTimeout_ErrorTypeIsStallTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = new HardeningRunner([], o => { o.IdleTimeout = TimeSpan.FromSeconds(15); o.StallTimeout = TimeSpan.FromSeconds(35); }, time: time);
        TranscriptBuilder pings = new TranscriptBuilder().MessageStart();
        for (int i = 0; i < 20; i++)
        {
            pings.Ping();
        }

        harness.Handler.RespondWith(pings, Chunking.PerEvent, new ChunkedStreamOptions { DelayPerChunk = TimeSpan.FromSeconds(10), Ending = StreamEnding.Stall, TimeProvider = time });

        List<AgentEvent> events = await FakeClock.RunAsync(time, harness.RunAsync(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        AssertFailedWith("stall_timeout", events, retried: false);
    }

    [Fact]
    public async Task RunAsync_HttpClientTimeoutBeforeHeaders_ErrorTypeIsTimeout()
    {
        // A caller's own HttpClient with a Timeout: the request is cancelled by it, not by the caller.
        var client = new AnthropicClient(
            new HttpClient(new NeverAnsweringHandler()) { Timeout = TimeSpan.FromMilliseconds(50) },
            new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey, BaseUrl = new Uri("https://api.test.invalid"), MaxRetries = 0 });
        var runner = new AgentRunner(client, new ToolRegistry());

        List<AgentEvent> events = await HardeningRunner.CollectAsync(runner.RunAsync("Where is ORD-1?"));

        RunCompleted result = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal((AgentRunOutcome.Failed, AgentError.TimeoutType), (result.Outcome, result.Error!.Type));
    }

    private sealed class NeverAnsweringHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new UnreachableException();
        }
    }

    [Fact]
    public async Task RunAsync_ConnectionDropsMidStream_ErrorTypeIsConnection()
    {
        var harness = new HardeningRunner([], runner: o => o.MaxStreamRetries = 1);
        var drop = new ChunkedStreamOptions { EndAfterBytes = s_afterStart.Length, Ending = StreamEnding.Drop };
        harness.Handler.RespondWith(Answer(), streamOptions: drop).RespondWith(Answer(), streamOptions: drop);

        List<AgentEvent> events = await harness.RunAsync();

        AssertFailedWith("connection", events, retried: true);
    }

    [Fact]
    public async Task RunAsync_ConnectionRefused_ErrorTypeIsConnection()
    {
        var harness = new HardeningRunner([]);
        harness.Handler.FailConnection();

        List<AgentEvent> events = await harness.RunAsync();

        AssertFailedWith("connection", events, retried: false);
    }

    [Fact]
    public async Task RunAsync_StreamEndsBeforeMessageStop_ErrorTypeIsTruncated()
    {
        var harness = new HardeningRunner([], runner: o => o.MaxStreamRetries = 1);
        var cut = new ChunkedStreamOptions { EndAfterBytes = s_afterStart.Length, Ending = StreamEnding.EndOfStream };
        harness.Handler.RespondWith(Answer(), streamOptions: cut).RespondWith(Answer(), streamOptions: cut);

        List<AgentEvent> events = await harness.RunAsync();

        AssertFailedWith("truncated", events, retried: true);
    }

    [Fact]
    public async Task RunAsync_MalformedEventData_ErrorTypeIsProtocol()
    {
        var harness = new HardeningRunner([]);
        harness.Handler.RespondWith(new TranscriptBuilder().MessageStart().Raw("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\n\n"));

        List<AgentEvent> events = await harness.RunAsync();

        AssertFailedWith("protocol", events, retried: false);
    }

    [Fact]
    public async Task RunAsync_DeltaForABlockThatNeverStarted_ErrorTypeIsProtocol()
    {
        var harness = new HardeningRunner([]);
        harness.Handler.RespondWith(new TranscriptBuilder().MessageStart().Raw(
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n"));

        List<AgentEvent> events = await harness.RunAsync();

        AssertFailedWith("protocol", events, retried: false);
    }

    [Fact]
    public async Task RunAsync_ApiErrorStatus_ErrorTypeIsTheApisTypeAndNeverEmpty()
    {
        var harness = new HardeningRunner([]);
        harness.Handler
            .RespondWithError(HttpStatusCode.BadRequest, "invalid_request_error", "max_tokens is too large")
            .RespondWithError(HttpStatusCode.BadRequest, string.Empty, "an error without a type");

        List<AgentEvent> first = await harness.RunAsync();
        List<AgentEvent> second = await harness.RunAsync();

        AssertFailedWith("invalid_request_error", first, retried: false);
        AgentError untyped = Assert.IsType<RunCompleted>(second[^1]).Error!;
        Assert.NotEqual(string.Empty, untyped.Type);
        AssertStableKind(untyped.Type);
    }

    [Fact]
    public async Task RunAsync_ToolsFailUpToTheLimit_RunCompletedCarriesToolErrorLimit()
    {
        AgentTool failing = TestTools.Lookup("lookup", (_, _) => ValueTask.FromResult(ToolResult.Error("The order service is down.")));
        var harness = new HardeningRunner([failing], runner: o => o.MaxConsecutiveToolErrors = 1);
        harness.Handler.RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-1"}""", id: "toolu_1").Stop(StopReason.ToolUse)).RespondWith(Answer());

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.ToolErrorLimit, completed.Outcome);
        Assert.NotNull(completed.Error);
        Assert.Equal("tool_error_limit", completed.Error.Type);
        Assert.False(string.IsNullOrWhiteSpace(completed.Error.Message));
    }

    private static void AssertFailedWith(string expectedType, List<AgentEvent> events, bool retried)
    {
        RunCompleted completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Failed, completed.Outcome);
        Assert.Equal(expectedType, completed.Error!.Type);
        if (retried)
        {
            Assert.Equal(expectedType, Assert.Single(events.OfType<TurnRetrying>()).Error.Type);
        }
    }

    private static void AssertStableKind(string type) =>
        Assert.Matches("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", type);
}
