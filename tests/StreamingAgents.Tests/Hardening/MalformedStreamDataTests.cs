using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// Malformed event data, fed as SSE bytes through the public reader, always ends in a StreamProtocolException naming
/// the event: never InvalidOperationException, NullReferenceException or ArgumentNullException from a half-built
/// event, and never an event that silently loses what it carried.
/// </summary>
public sealed class MalformedStreamDataTests
{
    private const string TextBlockStart = """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""";
    private const string ToolBlockStart = """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"search","input":{}}}""";

    public static TheoryData<string, string> MalformedBlockEvents() => new()
    {
        // The event's own type: not a string.
        { "content_block_delta", """{"type":5,"index":0,"delta":{"type":"text_delta","text":"lost"}}""" },
        { "content_block_delta", """{"type":null,"index":0,"delta":{"type":"text_delta","text":"lost"}}""" },
        { "content_block_stop", """{"type":5,"index":0}""" },
        { "content_block_stop", """{"type":null,"index":0}""" },

        // The delta: no type, or a type that is not a string.
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":5,"text":"lost"}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":null,"text":"lost"}}""" },

        // The delta's payload.
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":null}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\ud800b"}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\udc00"}}""" },
    };

    public static TheoryData<string, string> NullsInTypedSlots() => new()
    {
        { "message_start", """{"type":"message_start","message":null}""" },
        { "message_start", """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":null,"usage":{"input_tokens":1,"output_tokens":1}}}""" },
        { "message_start", """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[null],"usage":{"input_tokens":1,"output_tokens":1}}}""" },
        { "message_start", """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":null}}""" },
        { "message_delta", """{"type":"message_delta","delta":null,"usage":{"output_tokens":1}}""" },
        { "content_block_start", """{"type":"content_block_start","index":0,"content_block":null}""" },
        { "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":null,"name":"search","input":{}}}""" },
        { "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":null,"input":{}}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":null}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":null}}""" },
        { "error", """{"type":"error","error":null}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedBlockEvents))]
    public async Task ReadAllAsync_MalformedBlockEvent_ThrowsStreamProtocolExceptionNamingTheEvent(string eventType, string data)
    {
        byte[] sse = Stream(TextBlockStart, Wire.Event(eventType, data));

        var error = await Assert.ThrowsAsync<StreamProtocolException>(() => Wire.ReadAllAsync(sse));

        Assert.Equal(eventType, error.EventType);
    }

    [Fact]
    public async Task ReadAllAsync_IndexNotANonNegativeInteger_ThrowsStreamProtocolExceptionNamingTheEvent()
    {
        (string EventType, string Data)[] cases =
        [
            ("content_block_delta", """{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"x"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0.5,"delta":{"type":"text_delta","text":"x"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":"0"}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":-1}"""),
        ];
        var wrong = new List<string>();

        foreach ((string eventType, string data) in cases)
        {
            Exception? thrown = await Record.ExceptionAsync(() => Wire.ReadAllAsync(Stream(TextBlockStart, Wire.Event(eventType, data))));
            if (thrown is not StreamProtocolException { } protocol || protocol.EventType != eventType)
            {
                wrong.Add($"{data} -> {thrown?.GetType().Name ?? "no exception"}");
            }
        }

        Assert.True(wrong.Count == 0, "Not reported as StreamProtocolException:\n" + string.Join("\n", wrong));
    }

    [Theory]
    [MemberData(nameof(NullsInTypedSlots))]
    public async Task ReadAllAsync_NullInATypedSlot_ThrowsStreamProtocolExceptionNamingTheEvent(string eventType, string data)
    {
        bool isStart = eventType == "message_start";
        byte[] sse = isStart
            ? [.. Wire.Event(eventType, data), .. Wire.Event("message_stop", """{"type":"message_stop"}""")]
            : Stream(data.Contains("partial_json", StringComparison.Ordinal) ? ToolBlockStart : TextBlockStart, Wire.Event(eventType, data));

        var error = await Assert.ThrowsAsync<StreamProtocolException>(() => Wire.ReadAllAsync(sse));

        Assert.Equal(eventType, error.EventType);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xC3 })] // a two-byte sequence cut short
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    public async Task ReadAllAsync_InvalidUtf8InsideText_ThrowsStreamProtocolExceptionNamingTheEvent(byte[] invalid)
    {
        byte[] data = [.. """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"""u8, .. invalid, .. "b\"}}"u8];
        byte[] sse = Stream(TextBlockStart, Wire.Event("content_block_delta", data));

        var error = await Assert.ThrowsAsync<StreamProtocolException>(() => Wire.ReadAllAsync(sse));

        Assert.Equal("content_block_delta", error.EventType);
    }

    /// <summary>Events a consumer would otherwise never see as what they are: their text or stop would be lost.</summary>
    public static TheoryData<string, string> BadlyTypedBlockEvents() => new()
    {
        { "content_block_delta", """{"type":5,"index":0,"delta":{"type":"text_delta","text":"lost"}}""" },
        { "content_block_delta", """{"type":null,"index":0,"delta":{"type":"text_delta","text":"lost"}}""" },
        { "content_block_stop", """{"type":5,"index":0}""" },
        { "content_block_stop", """{"type":null,"index":0}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":5,"text":"lost"}}""" },
        { "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":null,"text":"lost"}}""" },
    };

    [Theory]
    [MemberData(nameof(BadlyTypedBlockEvents))]
    public async Task ToMessageAsync_BadlyTypedBlockEvent_ThrowsStreamProtocolExceptionInsteadOfDroppingIt(string eventType, string data)
    {
        byte[] sse = Stream(TextBlockStart, Wire.Event(eventType, data));
        using var stream = new MemoryStream(sse);

        var error = await Assert.ThrowsAsync<StreamProtocolException>(() => StreamEventReader.ReadAllAsync(stream).ToMessageAsync());

        Assert.Equal(eventType, error.EventType);
    }

    /// <summary>message_start, a block start, the event under test, then a proper ending.</summary>
    private static byte[] Stream(string blockStart, byte[] eventUnderTest) =>
    [
        .. Wire.Event("message_start", Wire.MessageStartData),
        .. Wire.Event("content_block_start", blockStart),
        .. eventUnderTest,
        .. Wire.Event("content_block_stop", """{"type":"content_block_stop","index":0}"""),
        .. Wire.Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}"""),
        .. Wire.Event("message_stop", """{"type":"message_stop"}"""),
    ];
}
