using System.Text.Json;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Messages;

public sealed class MessageAccumulatorTests
{
    private static readonly MessageStartEvent s_start = new()
    {
        Message = new Message { Id = "msg_1", Model = "claude-sonnet-4-5", Usage = new Usage { InputTokens = 10, OutputTokens = 1 } },
    };

    [Fact]
    public void Message_MidStream_ShowsTextAndToolInputSoFar()
    {
        var accumulator = Accumulate(
            s_start,
            new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() },
            new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "Looking " } },
            new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "up" } },
            new ContentBlockStopEvent { Index = 0 },
            new ContentBlockStartEvent { Index = 1, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "search" } },
            new ContentBlockDeltaEvent { Index = 1, Delta = new InputJsonDelta { PartialJson = "{\"query\": \"ord" } });

        Message message = accumulator.Message;

        Assert.False(accumulator.IsComplete);
        Assert.Equal("Looking up", message.GetText());
        ToolUseBlock tool = Assert.Single(message.ToolCalls);
        Assert.Equal(ToolInputStatus.Incomplete, tool.InputStatus);
        Assert.Equal("ord", tool.Input.GetProperty("query").GetString());
        Assert.Equal("{\"query\": \"ord", tool.InputJson);
        Assert.Null(message.StopReason);
    }

    [Fact]
    public void Message_ToolInputComplete_IsParsedWithRawText()
    {
        var accumulator = Accumulate(
            s_start,
            new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "search" } },
            new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = "{\"query\": " } },
            new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = "\"ORD-1\"}" } },
            new ContentBlockStopEvent { Index = 0 },
            new MessageDeltaEvent { Delta = new MessageDelta { StopReason = StopReason.ToolUse }, Usage = new MessageDeltaUsage { OutputTokens = 30 } },
            new MessageStopEvent());

        ToolUseBlock tool = Assert.Single(accumulator.Message.ToolCalls);

        Assert.True(accumulator.IsComplete);
        Assert.Equal(ToolInputStatus.Complete, tool.InputStatus);
        Assert.Equal("ORD-1", tool.Input.GetProperty("query").GetString());
        Assert.Equal("{\"query\": \"ORD-1\"}", tool.InputJson);
        Assert.Equal(StopReason.ToolUse, accumulator.Message.StopReason);
        Assert.Equal(new Usage { InputTokens = 10, OutputTokens = 30 }.OutputTokens, accumulator.Message.Usage.OutputTokens);
        Assert.Equal(10, accumulator.Message.Usage.InputTokens);
    }

    [Fact]
    public void Message_ToolInputClosedButInvalid_IsMarkedInvalidWithBestEffortInput()
    {
        var accumulator = Accumulate(
            s_start,
            new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "search" } },
            new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = "{\"query\": \"x\", \"limit\": 5,, }" } },
            new ContentBlockStopEvent { Index = 0 },
            new MessageStopEvent());

        ToolUseBlock tool = Assert.Single(accumulator.Message.ToolCalls);

        Assert.Equal(ToolInputStatus.Invalid, tool.InputStatus);
        Assert.Equal("x", tool.Input.GetProperty("query").GetString());
        Assert.Equal(5, tool.Input.GetProperty("limit").GetInt32());
        Assert.Equal("{\"query\": \"x\", \"limit\": 5,, }", tool.InputJson);
    }

    [Fact]
    public void Message_ToolInputCutOffWithoutBlockStop_IsIncomplete()
    {
        var accumulator = Accumulate(
            s_start,
            new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "write" } },
            new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = "{\"text\": \"Once upon" } },
            new MessageDeltaEvent { Delta = new MessageDelta { StopReason = StopReason.MaxTokens } },
            new MessageStopEvent());

        ToolUseBlock tool = Assert.Single(accumulator.Message.ToolCalls);

        Assert.Equal(ToolInputStatus.Incomplete, tool.InputStatus);
        Assert.Equal("Once upon", tool.Input.GetProperty("text").GetString());
        Assert.Equal(StopReason.MaxTokens, accumulator.Message.StopReason);
    }

    [Fact]
    public void Message_ToolWithoutInputFragments_HasEmptyObjectInput()
    {
        var accumulator = Accumulate(
            s_start,
            new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "now" } },
            new ContentBlockStopEvent { Index = 0 },
            new MessageStopEvent());

        ToolUseBlock tool = Assert.Single(accumulator.Message.ToolCalls);

        Assert.Equal(ToolInputStatus.Complete, tool.InputStatus);
        Assert.Equal(JsonValueKind.Object, tool.Input.ValueKind);
        Assert.Empty(tool.Input.EnumerateObject());
    }

    [Fact]
    public void Add_MessageDeltaUsage_ReplacesOnlyFieldsItCarries()
    {
        var accumulator = Accumulate(
            s_start with { Message = s_start.Message with { Usage = new Usage { InputTokens = 10, OutputTokens = 1, CacheReadInputTokens = 4 } } },
            new MessageDeltaEvent { Delta = new MessageDelta(), Usage = new MessageDeltaUsage { OutputTokens = 7 } },
            new MessageDeltaEvent { Delta = new MessageDelta(), Usage = new MessageDeltaUsage { InputTokens = 12, OutputTokens = 9, ServerToolUse = new ServerToolUsage { WebSearchRequests = 2 } } });

        Usage usage = accumulator.Message.Usage;

        Assert.Equal(12, usage.InputTokens);
        Assert.Equal(9, usage.OutputTokens);
        Assert.Equal(4, usage.CacheReadInputTokens);
        Assert.Equal(2, usage.ServerToolUse!.WebSearchRequests);
    }

    public static TheoryData<string, int?, StreamEvent[]> Violations() => new()
    {
        { "before 'message_start'", null, [new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() }] },
        { "second 'message_start'", null, [s_start, s_start] },
        { "no block with that index started", 3, [s_start, new ContentBlockDeltaEvent { Index = 3, Delta = new TextDelta { Text = "" } }] },
        { "no block with that index started", 0, [s_start, new ContentBlockStopEvent { Index = 0 }] },
        { "out of order", 1, [s_start, new ContentBlockStartEvent { Index = 1, ContentBlock = new TextBlock() }] },
        { "had already started", 0, [s_start, new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() }, new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() }] },
        { "had already stopped", 0, [s_start, new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() }, new ContentBlockStopEvent { Index = 0 }, new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "" } }] },
        { "cannot apply to block 0, which is a 'text' block", 0, [s_start, new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() }, new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = "" } }] },
        { "which is a 'tool_use' block", 0, [s_start, new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "tool" } }, new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "" } }] },
        { "which is a 'redacted_thinking' block", 0, [s_start, new ContentBlockStartEvent { Index = 0, ContentBlock = new RedactedThinkingBlock() }, new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "" } }] },
        { "after 'message_stop'", null, [s_start, new MessageStopEvent(), new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() }] },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void Add_ProtocolViolation_ThrowsNamingEventAndIndex(string expectedMessage, int? index, StreamEvent[] events)
    {
        var accumulator = new MessageAccumulator();

        var error = Assert.Throws<StreamProtocolException>(() =>
        {
            foreach (StreamEvent e in events)
            {
                accumulator.Add(e);
            }
        });

        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
        Assert.Equal(index, error.Index);
        Assert.Equal(events[^1].Type, error.EventType);
    }

    [Fact]
    public void Add_UnknownDeltaAndUnknownEvent_AreSkipped()
    {
        using JsonDocument unknown = JsonDocument.Parse("{\"type\":\"sparkle_delta\"}");
        var accumulator = Accumulate(
            s_start,
            new UnknownStreamEvent("future_event", unknown.RootElement),
            new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() },
            new ContentBlockDeltaEvent { Index = 0, Delta = new UnknownDelta("sparkle_delta", unknown.RootElement) },
            new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "ok" } },
            new PingEvent());

        Assert.Equal("ok", accumulator.Message.GetText());
    }

    [Fact]
    public void Add_ErrorEvent_ThrowsApiException()
    {
        var accumulator = Accumulate(s_start);

        var error = Assert.Throws<AnthropicApiException>(() => accumulator.Add(new ErrorEvent { Error = new ApiError { Type = "overloaded_error", Message = "Overloaded" } }));

        Assert.Equal("overloaded_error", error.ErrorType);
    }

    [Fact]
    public void GetContentBlock_BuildsOnlyThatBlock()
    {
        var accumulator = Accumulate(
            s_start,
            new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() },
            new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "a" } },
            new ContentBlockStartEvent { Index = 1, ContentBlock = new ToolUseBlock { Id = "t", Name = "n" } });

        Assert.Equal("a", Assert.IsType<TextBlock>(accumulator.GetContentBlock(0)).Text);
        Assert.Equal("n", Assert.IsType<ToolUseBlock>(accumulator.GetContentBlock(1)).Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => accumulator.GetContentBlock(2));
    }

    [Fact]
    public void Message_BeforeStart_Throws()
    {
        var accumulator = new MessageAccumulator();

        Assert.False(accumulator.HasStarted);
        Assert.Throws<InvalidOperationException>(() => accumulator.Message);
    }

    [Fact]
    public void Message_ReadTwiceWithoutNewEvents_ReturnsSameSnapshot()
    {
        var accumulator = Accumulate(s_start, new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() });

        Assert.Same(accumulator.Message, accumulator.Message);
        Message before = accumulator.Message;
        accumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "x" } });
        Assert.NotSame(before, accumulator.Message);
        Assert.Equal(1, accumulator.BlockCount);
    }

    private static MessageAccumulator Accumulate(params StreamEvent[] events)
    {
        var accumulator = new MessageAccumulator();
        foreach (StreamEvent e in events)
        {
            accumulator.Add(e);
        }

        return accumulator;
    }
    [Fact]
    public void Dispose_StreamEndedInsideToolInput_ReturnsPooledBuffersAndKeepsThePartialMessage()
    {
        var pool = new CountingArrayPool();
        var accumulator = new MessageAccumulator(pool);
        accumulator.Add(s_start);
        accumulator.Add(new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "lookup" } });
        accumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = """{"query":"ORD""" } });
        Assert.True(pool.Outstanding > 0);

        accumulator.Dispose(); // the stream ended here, inside the tool input

        Assert.Equal(0, pool.Outstanding);
        ToolUseBlock cut = Assert.Single(accumulator.Message.ToolCalls);
        Assert.Equal((ToolInputStatus.Incomplete, """{"query":"ORD"""), (cut.InputStatus, cut.InputJson));
        Assert.Equal("ORD", cut.Input.GetProperty("query").GetString());
        Assert.Throws<ObjectDisposedException>(() => accumulator.Add(new MessageStopEvent()));
    }
    [Fact]
    public void Add_ToolBlockStops_ReturnsItsPooledBuffer()
    {
        var pool = new CountingArrayPool();
        var accumulator = new MessageAccumulator(pool);
        accumulator.Add(s_start);
        accumulator.Add(new ContentBlockStartEvent { Index = 0, ContentBlock = new ToolUseBlock { Id = "toolu_1", Name = "lookup" } });
        accumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new InputJsonDelta { PartialJson = "{" } });
        accumulator.Add(new ContentBlockStopEvent { Index = 0 });

        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void LongText_KeepsEveryPieceInOrder_BeforeAfterStopAndAfterDispose()
    {
        // 3,000 pieces of 1 to 7 characters, some outside ASCII: the pooled buffer grows several times.
        string[] pieces = Enumerable.Range(0, 3_000).Select(static i => new string((char)('a' + (i % 26)), 1 + (i % 7)) + (i % 100 == 0 ? "é👋" : "")).ToArray();
        var accumulator = new MessageAccumulator();
        accumulator.Add(s_start);
        accumulator.Add(new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock { Text = "> " } });
        var thinkingAccumulator = new MessageAccumulator();
        thinkingAccumulator.Add(s_start);
        thinkingAccumulator.Add(new ContentBlockStartEvent { Index = 0, ContentBlock = new ThinkingBlock() });
        for (int i = 0; i < pieces.Length; i++)
        {
            accumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = pieces[i] } });
            thinkingAccumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new ThinkingDelta { Thinking = pieces[i] } });
            thinkingAccumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new SignatureDelta { Signature = pieces[^(i + 1)] } });
            if (i == 1_000)
            {
                Assert.Equal("> " + string.Concat(pieces[..1_001]), accumulator.Message.GetText()); // a snapshot mid-way
            }
        }

        accumulator.Add(new ContentBlockStopEvent { Index = 0 });
        thinkingAccumulator.Dispose(); // ended without content_block_stop

        string expected = "> " + string.Concat(pieces);
        Assert.Equal(expected, accumulator.Message.GetText());
        Assert.Equal(expected, accumulator.GetContentBlock(0) is TextBlock text ? text.Text : null);
        var thinking = Assert.IsType<ThinkingBlock>(thinkingAccumulator.GetContentBlock(0));
        Assert.Equal(string.Concat(pieces), thinking.Thinking);
        Assert.Equal(string.Concat(pieces.Reverse()), thinking.Signature);
        Assert.Throws<StreamProtocolException>(() => accumulator.Add(new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "late" } }));
        Assert.Equal(expected, accumulator.Message.GetText());
    }

    [Fact]
    public void TextPieces_AllocateNothingPerPiece()
    {
        // A StringBuilder would allocate about a piece's size in chunks per piece (50 B here); the pooled buffer
        // allocates nothing once the pool has served one answer of this length on this thread.
        ContentBlockDeltaEvent[] deltas = Enumerable.Range(0, 10_000)
            .Select(static i => new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = $"token {i,5} of the answer" } })
            .ToArray();
        long AllocatedForPieces()
        {
            var accumulator = new MessageAccumulator();
            accumulator.Add(s_start);
            accumulator.Add(new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() });
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (ContentBlockDeltaEvent delta in deltas)
            {
                accumulator.Add(delta);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            accumulator.Add(new ContentBlockStopEvent { Index = 0 }); // returns the buffer
            Assert.Equal(deltas.Length * 25, accumulator.Message.GetText().Length); // 25 characters a piece
            return allocated;
        }

        AllocatedForPieces();
        long allocated = AllocatedForPieces();

        Assert.True(allocated < deltas.Length, $"{allocated} bytes for {deltas.Length} pieces");
    }
}
