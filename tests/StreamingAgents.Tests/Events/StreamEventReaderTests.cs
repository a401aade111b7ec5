using System.Text;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Events;

public sealed class StreamEventReaderTests
{
    public static TheoryData<string, string> Transcripts_Chunkings()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in new[] { "text-multibyte", "tool-use-parallel", "thinking", "web-search-citations", "unknown-types", "max-tokens-tool-cut", "stop-sequence" })
        {
            foreach (string chunking in new[] { "whole", "one-byte", "tricky", "random" })
            {
                data.Add(name, chunking);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Transcripts_Chunkings))]
    public async Task ToMessageAsync_Transcript_EqualsNonStreamingMessage(string name, string chunking)
    {
        using var stream = new ChunkedStream(Fixture.Bytes(name + ".sse"), ChunkingNamed(chunking), new ChunkedStreamOptions { YieldOnEachRead = true });

        Message message = await StreamEventReader.ReadAllAsync(stream).ToMessageAsync();

        Fixture.AssertJsonEqual(Fixture.Json(name + ".json"), Fixture.ToJson(message), $"{name} with {chunking}");
    }

    [Fact]
    public async Task ReadAllAsync_Pings_AreDeliveredInOrder()
    {
        List<StreamEvent> events = await ReadAsync(Fixture.Bytes("text-multibyte.sse"));

        Assert.Equal(
            ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "ping", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Type));
        Assert.IsType<PingEvent>(events[2]);
    }

    [Fact]
    public async Task ReadAllAsync_UnknownEventType_SurfacesWithItsJson()
    {
        List<StreamEvent> events = await ReadAsync(Fixture.Bytes("unknown-types.sse"));

        UnknownStreamEvent unknown = Assert.IsType<UnknownStreamEvent>(events[1]);
        Assert.Equal("hologram_projection", unknown.Type);
        Assert.Equal(3, unknown.Json.GetProperty("intensity").GetInt32());
        var sparkle = Assert.IsType<UnknownDelta>(events.OfType<ContentBlockDeltaEvent>().Single(e => e.Delta is UnknownDelta).Delta);
        Assert.Equal("sparkle_delta", sparkle.Type);
        var block = Assert.IsType<UnknownContentBlock>(events.OfType<ContentBlockStartEvent>().Last().ContentBlock);
        Assert.Equal("mcp_tool_use", block.Type);
    }

    [Fact]
    public async Task ReadAllAsync_ErrorEventMidStream_ThrowsApiExceptionAfterEarlierEvents()
    {
        var received = new List<StreamEvent>();

        var error = await Assert.ThrowsAsync<AnthropicApiException>(async () =>
        {
            await foreach (StreamEvent e in StreamEventReader.ReadAllAsync(new ChunkedStream(Fixture.Bytes("error-mid-stream.sse"), Chunking.OneByte)))
            {
                received.Add(e);
            }
        });

        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "ping"], received.Select(e => e.Type));
        Assert.Equal("overloaded_error", error.ErrorType);
        Assert.Equal("Overloaded", error.ApiMessage);
        Assert.Null(error.StatusCode);
        Assert.Contains("overloaded_error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAllAsync_MessageStop_EndsWithoutWaitingForConnectionClose()
    {
        // The connection stays open after message_stop, as servers and proxies may keep it.
        var stream = new ChunkedStream(Fixture.Bytes("stop-sequence.sse"), options: new ChunkedStreamOptions { Ending = StreamEnding.Stall });

        List<StreamEvent> events = await ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<MessageStopEvent>(events[^1]);
    }

    [Fact]
    public async Task ReadAllAsync_EndsBeforeMessageStop_ThrowsTruncatedAfterDeliveringEvents()
    {
        byte[] whole = Fixture.Bytes("tool-use-parallel.sse");
        string text = Encoding.UTF8.GetString(whole);
        byte[] cut = Encoding.UTF8.GetBytes(text[..text.IndexOf("event: content_block_stop", StringComparison.Ordinal)]);
        var received = new List<StreamEvent>();

        var error = await Assert.ThrowsAsync<StreamTruncatedException>(async () =>
        {
            await foreach (StreamEvent e in StreamEventReader.ReadAllAsync(new MemoryStream(cut)))
            {
                received.Add(e);
            }
        });

        Assert.Equal(received.Count, error.EventCount);
        Assert.Equal("content_block_delta", error.EventType);
        Assert.Contains("without 'message_stop'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToMessageAsync_Truncated_CarriesPartialMessage()
    {
        string text = Encoding.UTF8.GetString(Fixture.Bytes("max-tokens-tool-cut.sse"));
        byte[] cut = Encoding.UTF8.GetBytes(text[..text.IndexOf("event: content_block_stop", StringComparison.Ordinal)]);

        var error = await Assert.ThrowsAsync<StreamTruncatedException>(() => StreamEventReader.ReadAllAsync(new MemoryStream(cut)).ToMessageAsync());

        ToolUseBlock tool = Assert.IsType<ToolUseBlock>(Assert.Single(error.PartialMessage!.Content));
        Assert.Equal(ToolInputStatus.Incomplete, tool.InputStatus);
        Assert.Equal("The quick brown fo", tool.Input.GetProperty("content").GetString());
        Assert.IsType<StreamTruncatedException>(error.InnerException);
    }

    [Fact]
    public async Task ReadAllAsync_EventDataNotJson_ThrowsProtocolExceptionNamingTheEvent()
    {
        byte[] input = Encoding.UTF8.GetBytes("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\nevent: content_block_start\ndata: {not json\n\n");

        var error = await Assert.ThrowsAsync<StreamProtocolException>(() => ReadAsync(input));

        Assert.Equal("content_block_start", error.EventType);
        Assert.Contains("'content_block_start'", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task ReadAllAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var stream = new ChunkedStream(Encoding.UTF8.GetBytes("event: ping\ndata: {\"type\":\"ping\"}\n\n"), options: new ChunkedStreamOptions { Ending = StreamEnding.Stall });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (StreamEvent e in StreamEventReader.ReadAllAsync(stream, cancellation.Token))
            {
                await cancellation.CancelAsync();
            }
        });
    }

    private static Chunking ChunkingNamed(string name) => name switch
    {
        "whole" => Chunking.Whole,
        "one-byte" => Chunking.OneByte,
        "tricky" => Chunking.AtTrickyBoundaries,
        _ => Chunking.Random(seed: name.Length, maxChunkSize: 17),
    };

    private static Task<List<StreamEvent>> ReadAsync(byte[] input) => ReadAsync(new MemoryStream(input));

    private static async Task<List<StreamEvent>> ReadAsync(Stream stream)
    {
        var events = new List<StreamEvent>();
        await foreach (StreamEvent e in StreamEventReader.ReadAllAsync(stream))
        {
            events.Add(e);
        }

        return events;
    }
}
