using System.Text;
using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.Tests.Events;

public sealed class StreamEventDecoderTests
{
    [Theory]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \u00e9\n"}}""")]
    [InlineData("""{"index":0,"type":"content_block_delta","delta":{"text":"Hi \u00e9\n","type":"text_delta"}}""")]
    [InlineData("""{ "type" : "content_block_delta" , "index" : 0 , "delta" : { "type" : "text_delta" , "text" : "Hi é\n" } }""")]
    public void Decode_TextDeltaInAnyLayout_GivesSameEvent(string json)
    {
        StreamEvent decoded = StreamEventDecoder.Decode("content_block_delta", Encoding.UTF8.GetBytes(json));

        Assert.Equal(new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = "Hi é\n" } }, decoded);
    }

    [Fact]
    public void Decode_EveryDeltaType_IsTyped()
    {
        Assert.Equal(new InputJsonDelta { PartialJson = "{\"a\"" }, DeltaOf("""{"type":"input_json_delta","partial_json":"{\"a\""}"""));
        Assert.Equal(new ThinkingDelta { Thinking = "hmm" }, DeltaOf("""{"type":"thinking_delta","thinking":"hmm"}"""));
        Assert.Equal(new SignatureDelta { Signature = "EqQB" }, DeltaOf("""{"type":"signature_delta","signature":"EqQB"}"""));
        CitationsDelta citation = Assert.IsType<CitationsDelta>(DeltaOf("""{"type":"citations_delta","citation":{"type":"char_location","cited_text":"x","document_index":0}}"""));
        Assert.Equal("char_location", citation.Citation.Type);
        Assert.Equal(0, citation.Citation.AdditionalProperties!["document_index"].GetInt32());
        Assert.Equal("later_delta", Assert.IsType<UnknownDelta>(DeltaOf("""{"type":"later_delta","x":1}""")).Type);
    }

    [Fact]
    public void Decode_OtherEvents_AreTyped()
    {
        var start = Assert.IsType<ContentBlockStartEvent>(Decode("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"search","input":{}}}"""));
        Assert.Equal("search", Assert.IsType<ToolUseBlock>(start.ContentBlock).Name);
        Assert.Equal(new ContentBlockStopEvent { Index = 4 }, Decode("content_block_stop", """{"type":"content_block_stop","index":4}"""));
        Assert.Equal(new ContentBlockStopEvent { Index = 4 }, Decode("content_block_stop", """{"index":4,"type":"content_block_stop"}"""));
        var delta = Assert.IsType<MessageDeltaEvent>(Decode("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"""));
        Assert.Equal(StopReason.EndTurn, delta.Delta.StopReason);
        Assert.Equal(15, delta.Usage!.OutputTokens);
        Assert.IsType<MessageStopEvent>(Decode("message_stop", """{"type":"message_stop"}"""));
        Assert.IsType<PingEvent>(Decode("ping", """{"type": "ping"}"""));
        Assert.Equal("overloaded_error", Assert.IsType<ErrorEvent>(Decode("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")).Error.Type);
    }

    [Theory]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}x""")]
    [InlineData("content_block_delta", """{"type":"content_block_delta", "index":0,"delta":{"type":"text_delta","text":"a"}}}""")]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}} {"y":1}""")]
    [InlineData("content_block_stop", """{"type":"content_block_stop","index":1}junk""")]
    public void Decode_BytesAfterTheObject_ThrowProtocolException(string type, string json) =>
        Assert.Throws<StreamProtocolException>(() => Decode(type, json));

    [Theory]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}  """)]
    [InlineData("content_block_stop", """{"type":"content_block_stop","index":1}""" + "\r\n")]
    public void Decode_WhitespaceAfterTheObject_IsFine(string type, string json) =>
        Assert.IsNotType<UnknownStreamEvent>(Decode(type, json));

    [Theory]
    [InlineData("content_block_start", """{"index":0,"content_block":{"type":"text","text":""}}""")]
    [InlineData("content_block_delta", """{"index":0,"delta":{"type":"text_delta","text":"a"}}""")]
    [InlineData("content_block_delta", """{"delta":{"type":"thinking_delta","thinking":"a"},"index":0}""")]
    [InlineData("content_block_stop", """{"index":0}""")]
    public void Decode_BlockEventWithoutType_ThrowsProtocolExceptionLikeTheSerializer(string type, string json)
    {
        Assert.Throws<StreamProtocolException>(() => StreamEventDecoder.DecodeWithSerializer(type, Encoding.UTF8.GetBytes(json)));
        Assert.Throws<StreamProtocolException>(() => Decode(type, json));
    }

    [Fact]
    public void Decode_DataWithoutType_IsUnknownEventNamedBySseEvent()
    {
        var unknown = Assert.IsType<UnknownStreamEvent>(Decode("telemetry", """{"latency_ms":12}"""));

        Assert.Equal("telemetry", unknown.Type);
        Assert.Equal(12, unknown.Json.GetProperty("latency_ms").GetInt32());
    }

    [Fact]
    public void Decode_WrongShape_ThrowsProtocolExceptionWithInnerJsonException()
    {
        var error = Assert.Throws<StreamProtocolException>(() => Decode("content_block_delta", """{"type":"content_block_delta","index":"zero","delta":{"type":"text_delta","text":"x"}}"""));

        Assert.Equal("content_block_delta", error.EventType);
        Assert.IsType<System.Text.Json.JsonException>(error.InnerException);
    }

    private static StreamEvent Decode(string type, string json) => StreamEventDecoder.Decode(type, Encoding.UTF8.GetBytes(json));

    private static ContentBlockDelta DeltaOf(string deltaJson) =>
        Assert.IsType<ContentBlockDeltaEvent>(Decode("content_block_delta", $$"""{"type":"content_block_delta","index":0,"delta":{{deltaJson}}}""")).Delta;

    [Fact]
    public void Decode_FastPathNames_AreTheWireTypes()
    {
        // The fast path compares UTF-8 literals; they must stay equal to the types' wire names.
        string folder = Path.Combine(StreamingAgents.Tests.Readme.ReadmeCodeBlock.RepositoryRoot, "src", "StreamingAgents", "Events");
        string source = File.ReadAllText(Path.Combine(folder, "StreamEventDecoder.cs"));
        string compact = File.ReadAllText(Path.Combine(folder, "StreamEventDecoder.Compact.cs"));

        foreach (string name in new[] { ContentBlockDeltaEvent.WireType, ContentBlockStopEvent.WireType, TextDelta.WireType, InputJsonDelta.WireType, ThinkingDelta.WireType })
        {
            Assert.Contains($"\"{name}\"u8", source, StringComparison.Ordinal);
        }

        Assert.Contains($$"""{\"type\":\"{{ContentBlockDeltaEvent.WireType}}\",\"index\":""", compact, StringComparison.Ordinal);
        foreach ((string type, string payload) in new[] { (TextDelta.WireType, "text"), (InputJsonDelta.WireType, "partial_json"), (ThinkingDelta.WireType, "thinking") })
        {
            Assert.Contains("\"" + type + "\\\",\\\"" + payload + "\\\":\\\"\"u8", compact, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi é 👋"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\nb \"q\" \\ \/ \t\r\b\f"}}""")]
    [InlineData("""{"type":"content_block_delta","index":12,"delta":{"type":"thinking_delta","thinking":"hmm"}}""")]
    [InlineData("""{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"ord"}}""")]
    [InlineData("""{"type":"content_block_delta","index":999999999,"delta":{"type":"text_delta","text":""}}""")]
    public void CompactPath_ReadsTheApisLayout(string json)
    {
        byte[] data = Encoding.UTF8.GetBytes(json);

        Assert.True(StreamEventDecoder.IsCompactDelta(data));
        Assert.Equal(Decode("content_block_delta", " " + json), StreamEventDecoder.Decode("content_block_delta", data)); // a leading space takes the reader-based path
    }

    [Fact]
    public void CompactPath_HandsOverTextWithoutTheEvent()
    {
        byte[] data = Encoding.UTF8.GetBytes("""{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"line\n"}}""");

        Assert.Null(StreamEventDecoder.DecodeUnlessText("content_block_delta", data, out int index, out string? text));
        Assert.Equal((2, "line\n"), (index, text));
        Assert.NotNull(StreamEventDecoder.DecodeUnlessText("content_block_delta", Encoding.UTF8.GetBytes("""{"type":"content_block_delta","index":2,"delta":{"type":"thinking_delta","thinking":"x"}}"""), out _, out text));
        Assert.Null(text);
    }

    [Fact]
    public void CompactPath_LongTextWithEscapes_IsReadWhole()
    {
        // Past the stack buffer: the unescaped bytes go to a pooled array.
        string text = string.Concat(Enumerable.Range(0, 300).Select(static i => $"line {i}: \"é\"\n"));
        string json = """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""" + "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"}}";
        byte[] data = Encoding.UTF8.GetBytes(json);

        Assert.True(StreamEventDecoder.IsCompactDelta(data));
        Assert.Equal(text, Assert.IsType<TextDelta>(Assert.IsType<ContentBlockDeltaEvent>(StreamEventDecoder.Decode("content_block_delta", data)).Delta).Text);
    }

    [Theory]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\u00e9"}}""")] // \u: the reader's
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\xb"}}""")] // not an escape
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a	b"}}""")] // a raw tab
    [InlineData("""{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}""")] // not JSON
    [InlineData("""{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}""")]
    [InlineData("""{"type":"content_block_delta","index":1234567890,"delta":{"type":"text_delta","text":"a"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}} """)]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","x":1}}""")]
    [InlineData("""{"type":"content_block_delta", "index":0,"delta":{"type":"text_delta","text":"a"}}""")]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"a"}}""")]
    public void CompactPath_LeavesEverythingElseToTheReader(string json) =>
        Assert.False(StreamEventDecoder.IsCompactDelta(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void CompactPath_LeavesInvalidUtf8ToTheReader()
    {
        byte[] data = Encoding.UTF8.GetBytes("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ab\n"}}""");
        data[Array.IndexOf(data, (byte)'a')] = 0xC3; // a lead byte followed by ASCII

        Assert.False(StreamEventDecoder.IsCompactDelta(data));
        Assert.Throws<StreamProtocolException>(() => StreamEventDecoder.Decode("content_block_delta", data));
    }

    /// <summary>
    /// The compact path may only change speed: every cut, deletion, doubling and replacement of every byte of the API's
    /// layout decodes to the same event, or fails the same way, as with a leading space (which the compact path never
    /// takes, so the reader-based path decides).
    /// </summary>
    [Fact]
    public void CompactPath_ChangesNoResult_UnderEveryByteMutation()
    {
        string[] layouts =
        [
            """{"type":"content_block_delta","index":7,"delta":{"type":"text_delta","text":"Hé 👋 ok"}}""",
            """{"type":"content_block_delta","index":10,"delta":{"type":"thinking_delta","thinking":"so"}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{ \"q"}}""",
            """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"é\n\"\\\/\t\r"}}""",
            """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"\u00e9\n"}}""",
            // Past the 512-byte stack buffer: unescaped into a pooled array.
            """{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":""" + "\"" + string.Concat(Enumerable.Repeat("ab\\n", 180)) + "\"}}",
        ];
        byte[] replacements = [(byte)'"', (byte)'\\', 0x01, 0x7F, 0xFF, 0xC3, 0xF0, (byte)'0', (byte)'9', (byte)'-', (byte)' ', (byte)'}', (byte)'x', (byte)'u', (byte)'n', (byte)'/'];
        int compared = 0;
        foreach (string layout in layouts)
        {
            byte[] original = Encoding.UTF8.GetBytes(layout);
            foreach (byte[] mutated in Mutations(original, replacements))
            {
                Assert.Equal(Outcome([(byte)' ', .. mutated]), Outcome(mutated));
                compared++;
            }
        }

        Assert.True(compared > 3_000, $"only {compared} mutations");

        static string Outcome(byte[] data)
        {
            try
            {
                return StreamEventDecoder.Decode("content_block_delta", data) is ContentBlockDeltaEvent delta
                    ? $"{delta.Index} {delta.Delta}"
                    : "not a delta";
            }
            catch (StreamProtocolException)
            {
                return "invalid";
            }
        }
    }

    [Theory]
    [InlineData("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")]
    [InlineData("""{"type":"content_block_start","index":3,"content_block":{"type":"thinking","thinking":"","signature":""}}""")]
    [InlineData("""{"type":"content_block_start","index":3,"content_block":{"type":"thinking","thinking":""}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"search","input":{}}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"séarch"}}""")]
    [InlineData("""{ "index": 12, "content_block": { "type": "tool_use", "name": "search", "id": "toolu_01", "input": {} }, "type": "content_block_start" }""")]
    public void BlockStart_TheApisOpenings_SkipTheSerializerWithTheSameResult(string json)
    {
        byte[] data = Encoding.UTF8.GetBytes(json);

        Assert.True(StreamEventDecoder.IsUsualBlockStart(data));
        Assert.Equal(StreamEventDecoder.DecodeWithSerializer("content_block_start", data).ToString(), StreamEventDecoder.Decode("content_block_start", data).ToString());
    }

    [Theory]
    [InlineData("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","citations":[]}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"search","input":{"q":1}}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{}}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"id":"toolu_01","type":"tool_use","name":"search","input":{}}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","input":{}}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","name":"search","input":{}}}""")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"search","input":{ }}}""")]
    [InlineData("""{"type":"content_block_start","index":-1,"content_block":{"type":"text","text":""}}""")]
    [InlineData("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""},"extra":1}""")]
    public void BlockStart_OtherShapes_AreLeftToTheSerializer(string json) =>
        Assert.False(StreamEventDecoder.IsUsualBlockStart(Encoding.UTF8.GetBytes(json)));

    /// <summary>
    /// Reading the usual block starts without the serializer may only change speed: every cut, deletion, doubling and
    /// replacement of every byte of them decodes to the same event, or fails the same way, as with the serializer.
    /// </summary>
    [Fact]
    public void BlockStart_ChangesNoResult_UnderEveryByteMutation()
    {
        string[] layouts =
        [
            """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"search","input":{}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"é"}}""",
            """{"type":"content_block_start","index":2,"content_block":{"type":"thinking","thinking":"","signature":""}}""",
        ];
        byte[] replacements = [(byte)'"', (byte)'\\', 0x01, 0xFF, 0xC3, (byte)'0', (byte)'-', (byte)' ', (byte)'{', (byte)'}', (byte)'[', (byte)',', (byte)':', (byte)'n', (byte)'x'];
        int compared = 0;
        foreach (string layout in layouts)
        {
            foreach (byte[] mutated in Mutations(Encoding.UTF8.GetBytes(layout), replacements))
            {
                Assert.Equal(Outcome(() => StreamEventDecoder.DecodeWithSerializer("content_block_start", mutated)), Outcome(() => StreamEventDecoder.Decode("content_block_start", mutated)));
                compared++;
            }
        }

        Assert.True(compared > 4_000, $"only {compared} mutations");

        static string Outcome(Func<StreamEvent> decode)
        {
            try
            {
                return decode().ToString();
            }
            catch (StreamProtocolException)
            {
                return "invalid";
            }
        }
    }

    private static IEnumerable<byte[]> Mutations(byte[] original, byte[] replacements)
    {
        for (int i = 0; i <= original.Length; i++)
        {
            yield return original[..i];
        }

        for (int i = 0; i < original.Length; i++)
        {
            yield return [.. original[..i], .. original[(i + 1)..]];
            yield return [.. original[..(i + 1)], .. original[i..]];
            foreach (byte replacement in replacements)
            {
                byte[] changed = (byte[])original.Clone();
                changed[i] = replacement;
                yield return changed;
            }
        }
    }
}
