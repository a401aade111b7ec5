using System.Text.Json;
using StreamingAgents.Events;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Tests.Messages;

public sealed class RequestModelTests
{
    [Fact]
    public void Helpers_SerializeToTheApiShape()
    {
        Assert.Equal("""{"type":"auto"}""", Serialize(ToolChoice.Auto));
        Assert.Equal("""{"type":"any"}""", Serialize(ToolChoice.Any));
        Assert.Equal("""{"type":"none"}""", Serialize(ToolChoice.None));
        Assert.Equal("""{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}""",
            JsonSerializer.Serialize<ContentBlock>(new ImageBlock { Source = ImageSource.FromUrl(new Uri("https://example.com/a.png")) }, AnthropicJsonContext.Default.ContentBlock));
        Assert.Equal("ab", new SystemPrompt([new TextBlock { Text = "a" }, new TextBlock { Text = "b" }]).ToString());
        Assert.Equal("x", SystemPrompt.FromString("x").ToString());
    }

    [Fact]
    public void MessageParam_Assistant_SendsTheModelsBlocksBack()
    {
        var message = new Message { Content = [new ThinkingBlock { Thinking = "t", Signature = "s" }, new TextBlock { Text = "hi" }] };

        MessageParam turn = MessageParam.Assistant(message);

        Assert.Equal(MessageParam.AssistantRole, turn.Role);
        Assert.Same(message.Content, turn.Content);
    }

    [Fact]
    public void MessageRequest_ExtraFields_AreSentAsTheyAre()
    {
        using JsonDocument container = JsonDocument.Parse("\"cntr_1\"");
        var request = new MessageRequest { Messages = [MessageParam.User("x")], AdditionalProperties = new() { ["container"] = container.RootElement.Clone() } };

        string json = JsonSerializer.Serialize(request, AnthropicJsonContext.Default.MessageRequest);

        Assert.Contains("\"container\":\"cntr_1\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("stream", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transcript_FromFileAndRedactedThinking_RoundTrip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"transcript-{Guid.NewGuid():N}.sse");
        await File.WriteAllTextAsync(path, new TranscriptBuilder().RedactedThinking("ENCRYPTED").Stop(StopReason.EndTurn).ToString());
        try
        {
            Message message = await StreamEventReader.ReadAllAsync(Transcript.FromFile(path).ToStream()).ToMessageAsync();

            Assert.Equal("ENCRYPTED", Assert.IsType<RedactedThinkingBlock>(Assert.Single(message.Content)).Data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Serialize(ToolChoice choice) => JsonSerializer.Serialize(choice, AnthropicJsonContext.Default.ToolChoice);
}
