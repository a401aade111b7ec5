using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Testing.Tests;

public sealed class TranscriptBuilderTests
{
    [Fact]
    public async Task Build_ScriptedTurn_ReadsBackAsTheScriptedMessage()
    {
        Transcript transcript = new TranscriptBuilder { MessageId = "msg_x", Model = "claude-test" }
            .MessageStart(inputTokens: 99)
            .Thinking("Need the order.", signature: "sig-1")
            .Text("Let me check, one moment.")
            .Ping()
            .ToolUse("search_orders", """{"order_id":"ORD-12345","fields":["eta"]}""", id: "toolu_a", fragmentSize: 3)
            .ToolUse("list_carriers", "")
            .Stop(StopReason.ToolUse, outputTokens: 42)
            .Build();

        Message message = await StreamEventReader.ReadAllAsync(transcript.ToStream(Chunking.OneByte)).ToMessageAsync();

        Assert.Equal(("msg_x", "claude-test", 99, 42), (message.Id, message.Model, message.Usage.InputTokens, message.Usage.OutputTokens));
        var thinking = Assert.IsType<ThinkingBlock>(message.Content[0]);
        Assert.Equal(("Need the order.", "sig-1"), (thinking.Thinking, thinking.Signature));
        Assert.Equal("Let me check, one moment.", message.GetText());
        ToolUseBlock[] calls = [.. message.ToolCalls];
        Assert.Equal("toolu_a", calls[0].Id);
        Assert.Equal("ORD-12345", calls[0].Input.GetProperty("order_id").GetString());
        Assert.Equal(ToolInputStatus.Complete, calls[1].InputStatus);
        Assert.Empty(calls[1].Input.EnumerateObject());
        Assert.Equal(StopReason.ToolUse, message.StopReason);
    }

    [Fact]
    public void ToolUse_FragmentSize_SplitsTheInputJson()
    {
        string sse = new TranscriptBuilder().ToolUse("t", """{"a":"bcdef"}""", fragmentSize: 4).ToString();

        Assert.Contains("\"partial_json\":\"{\\u0022a\\u0022\"", sse, StringComparison.Ordinal);
        Assert.Equal(4, sse.Split("input_json_delta").Length - 1);
    }

    [Fact]
    public void SplitIntoTokens_KeepsTextAndSurrogatePairs()
    {
        string text = "Hello, world! 😀 Ready?";

        string[] tokens = [.. TranscriptBuilder.SplitIntoTokens(text)];

        Assert.Equal(text, string.Concat(tokens));
        Assert.Contains(" world", tokens);
        Assert.Contains(",", tokens);
        Assert.All(tokens, token => Assert.False(char.IsHighSurrogate(token[^1])));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void WithLineEnding_UsesIt(string lineEnding)
    {
        string sse = new TranscriptBuilder().WithLineEnding(lineEnding).Text("x").ToString();

        Assert.Contains($"event: message_start{lineEnding}data: ", sse, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TranscriptBuilder().WithLineEnding("\n\n"));
    }

    [Fact]
    public async Task Error_WritesAnErrorEvent()
    {
        Transcript transcript = new TranscriptBuilder().Text("partial").Error("overloaded_error", "Overloaded").Build();

        var error = await Assert.ThrowsAsync<StreamingAgents.Events.AnthropicApiException>(() => StreamEventReader.ReadAllAsync(transcript.ToStream()).ToMessageAsync());

        Assert.Equal("overloaded_error", error.ErrorType);
    }
}
