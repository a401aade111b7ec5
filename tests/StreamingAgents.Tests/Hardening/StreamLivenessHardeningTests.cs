using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// The liveness timeouts count only time spent waiting for the server, and they end the wait even when the body or
/// the handler ignores cancellation.
/// </summary>
public sealed class StreamLivenessHardeningTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_hold = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("idle")]
    [InlineData("stall")]
    public async Task StreamAsync_ConsumerHoldsEveryEventLongerThanTheTimeout_CompletesWithoutTimeout(string which)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new FakeAnthropicHandler().RespondWith(
            new TranscriptBuilder().Text("One two three.").Ping().Text(" Four.").Stop(StopReason.EndTurn),
            Chunking.PerEvent);
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, which), time);
        var received = new List<StreamEvent>();

        await using IAsyncEnumerator<StreamEvent> events = client.StreamAsync(ClientFactory.Hello).GetAsyncEnumerator();
        while (await events.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard))
        {
            received.Add(events.Current);

            // The consumer is busy with this event for six times the timeout before it asks for the next.
            time.Advance(s_hold);
        }

        Assert.IsType<MessageStartEvent>(received[0]);
        Assert.IsType<MessageStopEvent>(received[^1]);
        Assert.Equal("One two three. Four.", string.Concat(received.OfType<ContentBlockDeltaEvent>().Select(e => ((TextDelta)e.Delta).Text)));
    }

    [Fact]
    public async Task StreamAsync_ConsumerHoldsABufferedPing_TheNextWaitStillHasTheWholeStallTimeout()
    {
        // Content and a ping arrive in one read; the rest comes in a second read 3 s later.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        TranscriptBuilder transcript = new TranscriptBuilder().Text("One two three.").Ping();
        int firstRead = Encoding.UTF8.GetByteCount(transcript.ToString());
        transcript.Text(" Four.").Text(" Five.").Stop(StopReason.EndTurn);
        var handler = new FakeAnthropicHandler().RespondWith(
            transcript,
            Chunking.At(firstRead),
            new ChunkedStreamOptions { DelayPerChunk = TimeSpan.FromSeconds(3), TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, "stall"), time);

        Task<string> reading = Task.Run(async () =>
        {
            var text = new StringBuilder();
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
                text.Append((e as ContentBlockDeltaEvent)?.Text);
                time.Advance(s_hold); // holding the buffered ping is the caller's time, not the server's
            }

            return text.ToString();
        });
        await Waiting.AdvanceUntilDoneAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        Assert.Equal("One two three. Four. Five.", await reading.WaitAsync(Waiting.Guard));
    }

    [Fact]
    public async Task StreamAsync_HeadersAndThenTheBodyEachInsideTheIdleTimeout_CompletesWithoutTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        TimeSpan late = s_timeout - TimeSpan.FromSeconds(2);
        var body = new ChunkedStream(
            Encoding.UTF8.GetBytes(new TranscriptBuilder().Text("Hello").Stop(StopReason.EndTurn).ToString()),
            Chunking.Whole,
            new ChunkedStreamOptions { InitialDelay = late, TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(new LateHeadersHandler(time, late, body), o => Configure(o, "idle"), time);

        // Headers after 8 s, the body's first bytes 8 s after them: 16 s in all, but never 10 s without a byte.
        Task<int> reading = Task.Run(async () => await client.StreamAsync(ClientFactory.Hello).CountAsync());
        await Waiting.AdvanceUntilDoneAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        Assert.True(await reading.WaitAsync(Waiting.Guard) > 3);
    }

    [Fact]
    public async Task StreamAsync_EventsAlreadyBuffered_ReadTheClockPerBodyReadNotPerEvent()
    {
        var time = new CountingTimeProvider();
        string text = string.Concat(Enumerable.Repeat("word ", 500));
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text(text).Stop(StopReason.EndTurn), Chunking.Whole);
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, "idle"), time);

        int events = await client.StreamAsync(ClientFactory.Hello).CountAsync();

        // One body read brings every event; reading them is the caller's time, and the timeouts need no clock for it.
        Assert.True(events > 500, $"{events} events");
        Assert.True(time.Reads < 20, $"{time.Reads} clock reads for {events} events");
    }

    [Fact]
    public async Task StreamAsync_ConsumerHoldsFirstEventThenServerGoesSilent_ThrowsIdleTimeoutOnlyAfterTheWaitExceedsIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        string transcript = new TranscriptBuilder().Text("Hello").Stop(StopReason.EndTurn).ToString();
        int afterStart = new TranscriptBuilder().MessageStart().ToString().Length;
        var body = new GatedStream(Encoding.UTF8.GetBytes(transcript[..afterStart]), Encoding.UTF8.GetBytes(transcript[afterStart..]));
        var handler = new FakeAnthropicHandler().RespondWith((_, _) => FakeResponses.Stream(body));
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, "idle"), time);

        await using IAsyncEnumerator<StreamEvent> events = client.StreamAsync(ClientFactory.Hello).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Waiting.Guard));
        Assert.IsType<MessageStartEvent>(events.Current);
        time.Advance(s_hold);

        // Holding the event cost nothing: the next wait starts with the whole timeout.
        Task<bool> next = events.MoveNextAsync().AsTask();
        Assert.False(next.IsCompleted);
        time.Advance(s_timeout - TimeSpan.FromSeconds(1));
        await Task.Delay(100);
        Assert.False(next.IsCompleted);
        Assert.True(body.IsBlocked);

        await Waiting.AdvanceUntilDoneAsync(time, next, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        var error = await Assert.ThrowsAsync<StreamIdleTimeoutException>(() => next.WaitAsync(Waiting.Guard));
        Assert.Equal(s_timeout, error.Timeout);
    }

    [Fact]
    public async Task StreamAsync_ServerStopsSendingWhileConsumerWaits_ThrowsIdleTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        int afterStart = new TranscriptBuilder().MessageStart().ToString().Length;
        var handler = new FakeAnthropicHandler().RespondWith(
            new TranscriptBuilder().Text("Hello").Stop(StopReason.EndTurn),
            Chunking.PerEvent,
            new ChunkedStreamOptions { EndAfterBytes = afterStart, Ending = StreamEnding.Stall, TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, "idle"), time);
        var received = new List<StreamEvent>();

        Task reading = Task.Run(async () =>
        {
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
                received.Add(e);
            }
        });
        await Waiting.AdvanceUntilDoneAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        await Assert.ThrowsAsync<StreamIdleTimeoutException>(() => reading.WaitAsync(Waiting.Guard));
        Assert.IsType<MessageStartEvent>(Assert.Single(received));
    }

    [Fact]
    public async Task StreamAsync_ServerSendsOnlyPingsWhileConsumerWaits_ThrowsStallTimeoutEvenAfterHoldingEvents()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        TranscriptBuilder pings = new TranscriptBuilder().MessageStart();
        for (int i = 0; i < 40; i++)
        {
            pings.Ping();
        }

        var handler = new FakeAnthropicHandler().RespondWith(
            pings,
            Chunking.PerEvent,
            new ChunkedStreamOptions { DelayPerChunk = TimeSpan.FromSeconds(3), Ending = StreamEnding.Stall, TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, "stall"), time);

        Task reading = Task.Run(async () =>
        {
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
                // Holding events is free; only the 3 s waits for each ping add up (past 10 s after four pings).
                time.Advance(s_hold);
            }
        });
        await Waiting.AdvanceUntilDoneAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<StreamStallTimeoutException>(() => reading.WaitAsync(Waiting.Guard));
    }

    public static TheoryData<bool, bool> BodyHangs()
    {
        var data = new TheoryData<bool, bool>();
        foreach (bool afterFirstEvent in new[] { false, true })
        {
            foreach (bool failsReadsOnDispose in new[] { true, false })
            {
                data.Add(afterFirstEvent, failsReadsOnDispose);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BodyHangs))]
    public async Task StreamAsync_BodyReadIgnoresCancellation_ThrowsIdleTimeoutInsteadOfHanging(bool afterFirstEvent, bool failsReadsOnDispose)
    {
        using var unobserved = new UnobservedExceptionRecorder();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        byte[] prefix = afterFirstEvent ? Encoding.UTF8.GetBytes(new TranscriptBuilder().MessageStart().ToString()) : [];
        var body = new TokenIgnoringStream(prefix, failsReadsOnDispose, unobserved.Marker);
        var handler = new FakeAnthropicHandler().RespondWith((_, _) => FakeResponses.Stream(body));
        AnthropicClient client = ClientFactory.Create(handler, o => Configure(o, "idle"), time);
        var received = new List<StreamEvent>();

        Task reading = Task.Run(async () =>
        {
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
                received.Add(e);
            }
        });
        await Waiting.AdvanceUntilDoneAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        var error = await Assert.ThrowsAsync<StreamIdleTimeoutException>(() => reading.WaitAsync(Waiting.Guard));
        Assert.Equal(s_timeout, error.Timeout);
        Assert.Equal(afterFirstEvent ? 1 : 0, received.Count);
        Assert.True(body.HangingReads >= 1);
        Assert.True(body.IsDisposed, "The response body was not disposed after the timeout.");
        Assert.Single(handler.Requests);
        unobserved.AssertNoneAfterCollection();
    }

    [Fact]
    public async Task StreamAsync_HandlerIgnoresCancellationAndNeverAnswers_ThrowsIdleTimeoutAndDisposesALateResponse()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new TokenIgnoringHandler();
        var options = new AnthropicClientOptions
        {
            ApiKey = ClientFactory.ApiKey,
            BaseUrl = new Uri("https://api.test.invalid"),
            MaxRetries = 0,
            IdleTimeout = s_timeout,
        };
        using var httpClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new AnthropicClient(httpClient, options, time);

        Task reading = Task.Run(async () =>
        {
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
            }
        });
        await Waiting.AdvanceUntilDoneAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        var error = await Assert.ThrowsAsync<StreamIdleTimeoutException>(() => reading.WaitAsync(Waiting.Guard));
        Assert.Equal(s_timeout, error.Timeout);
        Assert.Equal(1, handler.Calls);

        // The handler answers after all: nobody waits for that response any more, and it must not leak.
        var lateBody = new TokenIgnoringStream([], failsReadsOnDispose: true, "late");
        handler.RespondLate(FakeResponses.Stream(lateBody));
        Assert.True(await Waiting.UntilAsync(() => lateBody.IsDisposed, Waiting.Guard), "The late response was never disposed.");
    }

    /// <summary>Answers with its body's headers only after a delay on the given clock.</summary>
    private sealed class LateHeadersHandler(TimeProvider time, TimeSpan delay, Stream body) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, time, cancellationToken);
            return FakeResponses.Stream(body);
        }
    }

    /// <summary>A fake clock that counts how often it is read.</summary>
    private sealed class CountingTimeProvider() : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        public int Reads { get; private set; }

        public override long GetTimestamp()
        {
            Reads++;
            return base.GetTimestamp();
        }
    }

    private static void Configure(AnthropicClientOptions options, string which)
    {
        options.MaxRetries = 0;
        options.IdleTimeout = which == "idle" ? s_timeout : Timeout.InfiniteTimeSpan;
        options.StallTimeout = which == "stall" ? s_timeout : Timeout.InfiniteTimeSpan;
    }
}
