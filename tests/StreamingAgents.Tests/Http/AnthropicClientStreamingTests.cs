using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Http;

public sealed class AnthropicClientStreamingTests
{
    public static TheoryData<string, string> Fixtures_Chunkings()
    {
        var data = new TheoryData<string, string>();
        foreach (string fixture in new[] { "tool-use-parallel", "thinking", "web-search-citations", "text-multibyte" })
        {
            foreach (string chunking in new[] { "whole", "one-byte", "fixed-7", "random", "tricky", "per-event" })
            {
                data.Add(fixture, chunking);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures_Chunkings))]
    public async Task CreateMessageAsync_AnyChunking_GivesTheSameMessage(string fixture, string chunking)
    {
        Transcript transcript = Transcript.FromBytes(Fixture.Bytes(fixture + ".sse"));
        var handler = new FakeAnthropicHandler().RespondWith(transcript, ChunkingNamed(chunking), new ChunkedStreamOptions { YieldOnEachRead = true });

        Message message = await ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello);

        Fixture.AssertJsonEqual(Fixture.Json(fixture + ".json"), Fixture.ToJson(message), $"{fixture} via HTTP with {chunking}");
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task CreateMessageAsync_OtherLineEndingsSplitBetweenCrAndLf_GivesTheSameMessage(string lineEnding)
    {
        TranscriptBuilder Script() => new TranscriptBuilder()
            .Thinking("Let me think about 😀 and ü.")
            .Text("Größe: 中文 😀")
            .ToolUse("search_orders", """{"order_id":"ORD-12345","note":"caf\u00e9 \ud83d\ude00"}""", fragmentSize: 5)
            .Stop(StopReason.ToolUse);
        var reference = new FakeAnthropicHandler().RespondWith(Script());
        var shaped = new FakeAnthropicHandler().RespondWith(Script().WithLineEnding(lineEnding), Chunking.AtTrickyBoundaries);

        Message expected = await ClientFactory.Create(reference).CreateMessageAsync(ClientFactory.Hello);
        Message actual = await ClientFactory.Create(shaped).CreateMessageAsync(ClientFactory.Hello);

        Fixture.AssertJsonEqual(Fixture.ToJson(expected), Fixture.ToJson(actual));
        Assert.Equal("ORD-12345", actual.ToolCalls.Single().Input.GetProperty("order_id").GetString());
    }

    [Fact]
    public async Task StreamAsync_FirstEvent_ArrivesBeforeTheBodyEnds()
    {
        var handler = new FakeAnthropicHandler().RespondWith(
            new TranscriptBuilder().Text("Hello there").Stop(StopReason.EndTurn),
            Chunking.PerEvent,
            new ChunkedStreamOptions { Ending = StreamEnding.Stall, EndAfterBytes = 400 });
        using var cancellation = new CancellationTokenSource();

        await using IAsyncEnumerator<StreamEvent> events = ClientFactory.Create(handler).StreamAsync(ClientFactory.Hello, cancellation.Token).GetAsyncEnumerator();

        // The body never completes (it stalls after 400 bytes), yet the first events arrive.
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<MessageStartEvent>(events.Current);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<ContentBlockStartEvent>(events.Current);
        await cancellation.CancelAsync();
    }

    [Fact]
    public async Task StreamAsync_NoBytesForIdleTimeout_ThrowsIdleTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        int afterStart = new TranscriptBuilder().MessageStart().ToString().Length;
        var handler = new FakeAnthropicHandler().RespondWith(
            new TranscriptBuilder().Text("Hello").Stop(StopReason.EndTurn),
            streamOptions: new ChunkedStreamOptions { EndAfterBytes = afterStart, Ending = StreamEnding.Stall, TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(handler, o => { o.IdleTimeout = TimeSpan.FromSeconds(15); o.MaxRetries = 0; }, time);
        var received = new List<StreamEvent>();

        Task reading = Task.Run(async () =>
        {
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
                received.Add(e);
            }
        });
        var error = await Assert.ThrowsAsync<StreamIdleTimeoutException>(() => FakeClock.RunAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2)));

        Assert.IsType<MessageStartEvent>(Assert.Single(received));
        Assert.Equal(TimeSpan.FromSeconds(15), error.Timeout);
        Assert.Contains("IdleTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_OnlyPingsForStallTimeout_ThrowsStallTimeoutNotIdle()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        TranscriptBuilder pings = new TranscriptBuilder().MessageStart();
        for (int i = 0; i < 20; i++)
        {
            pings.Ping();
        }

        var handler = new FakeAnthropicHandler().RespondWith(pings, Chunking.PerEvent, new ChunkedStreamOptions { DelayPerChunk = TimeSpan.FromSeconds(10), Ending = StreamEnding.Stall, TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(handler, o => { o.IdleTimeout = TimeSpan.FromSeconds(15); o.StallTimeout = TimeSpan.FromSeconds(35); o.MaxRetries = 0; }, time);
        int pingCount = 0;

        Task reading = Task.Run(async () =>
        {
            await foreach (StreamEvent e in client.StreamAsync(ClientFactory.Hello))
            {
                pingCount += e is PingEvent ? 1 : 0;
            }
        });
        var error = await Assert.ThrowsAsync<StreamStallTimeoutException>(() => FakeClock.RunAsync(time, reading, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)));

        // Pings every 10 s kept the 15 s idle timeout from firing; 35 s without content stalled the stream.
        Assert.InRange(pingCount, 2, 4);
        Assert.Equal(TimeSpan.FromSeconds(35), error.Timeout);
    }

    [Fact]
    public async Task StreamAsync_SlowButSteadyStream_IsNeverCut()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new FakeAnthropicHandler().RespondWith(
            new TranscriptBuilder().Text(string.Join(' ', Enumerable.Repeat("word", 40))).Stop(StopReason.EndTurn),
            Chunking.PerEvent,
            new ChunkedStreamOptions { DelayPerChunk = TimeSpan.FromSeconds(5), TimeProvider = time });
        AnthropicClient client = ClientFactory.Create(handler, o => { o.IdleTimeout = TimeSpan.FromSeconds(15); o.StallTimeout = TimeSpan.FromSeconds(15); }, time);

        // About 85 events, 5 s apart: a 7-minute stream, each gap well under both timeouts.
        Message message = await FakeClock.RunAsync(time, client.CreateMessageAsync(ClientFactory.Hello), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30));

        Assert.StartsWith("word word", message.GetText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_CancelledMidStream_ThrowsOperationCanceledAndClosesTheResponse()
    {
        var handler = new FakeAnthropicHandler().RespondWith(
            new TranscriptBuilder().Text("Hello there, friend").Stop(StopReason.EndTurn),
            Chunking.PerEvent,
            new ChunkedStreamOptions { EndAfterBytes = 500, Ending = StreamEnding.Stall });
        using var cancellation = new CancellationTokenSource();
        int count = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (StreamEvent e in ClientFactory.Create(handler).StreamAsync(ClientFactory.Hello, cancellation.Token))
            {
                if (++count == 2)
                {
                    cancellation.CancelAfter(TimeSpan.FromMilliseconds(50));
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(count >= 2);
        Assert.True(Assert.Single(handler.ServedBodies).IsDisposed);
    }

    [Fact]
    public async Task ApiKey_NeverAppearsInExceptionsOrOptionsText()
    {
        var handler = new FakeAnthropicHandler().RespondWithError(System.Net.HttpStatusCode.Unauthorized, "authentication_error", "invalid x-api-key");
        var options = new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey };

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello));

        Assert.DoesNotContain(ClientFactory.ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ClientFactory.ApiKey, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("ApiKey = (set)", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ClientFactory.ApiKey, handler.Requests[0].ToString(), StringComparison.Ordinal);
    }

    private static Chunking ChunkingNamed(string name) => name switch
    {
        "whole" => Chunking.Whole,
        "one-byte" => Chunking.OneByte,
        "fixed-7" => Chunking.Fixed(7),
        "random" => Chunking.Random(seed: 42, maxChunkSize: 23),
        "tricky" => Chunking.AtTrickyBoundaries,
        _ => Chunking.PerEvent,
    };
}
